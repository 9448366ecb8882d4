/**
 * CT to binary skull mask: bone threshold, the largest connected component, 3-D hole filling and optional median
 * smoothing. On the design path, it may import the packages before it (the root package, {@code volume}, {@code
 * files}, {@code morphology} and {@code io}); no other package of Calvaria. Packages are named below {@code
 * org.calvaria}; {@code org.calvaria.LayeringTest} holds the order.
 */
package org.calvaria.segment;
