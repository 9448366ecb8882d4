/**
 * The network grid: where the skull, or each hole in its vault, is placed on the network's fixed 112 x 112 x 40 grid
 * in physical millimetres, and resampling onto it and back. On the design path, it may import the packages before it
 * (the root package, {@code volume}, {@code files}, {@code morphology}, {@code io} and {@code segment}); no other
 * package of Calvaria. Packages are named below {@code org.calvaria}; {@code org.calvaria.LayeringTest} holds the
 * order.
 */
package org.calvaria.normalise;
