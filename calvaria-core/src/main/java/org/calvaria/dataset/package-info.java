/**
 * Training sets: the SkullFix folder scanner, skull libraries cached on the network grid, and streams of (defective,
 * complete) training pairs, in memory or written to disk. Beside the design path, it may import the root package,
 * {@code volume}, {@code files}, {@code io}, {@code normalise} and {@code defects}, and no other package of Calvaria.
 * Packages are named below {@code org.calvaria}; {@code org.calvaria.LayeringTest} holds the order.
 */
package org.calvaria.dataset;
