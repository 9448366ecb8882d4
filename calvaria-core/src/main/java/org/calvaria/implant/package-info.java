/**
 * From the network's completed skull to the implant mask: the probability mapped back onto the scan's own grid and
 * thresholded there, the defective skull subtracted, and the implant cleaned. On the design path, it may import the
 * packages before it (the root package, {@code volume}, {@code files}, {@code morphology}, {@code io}, {@code
 * segment}, {@code normalise} and {@code complete}); no other package of Calvaria. Packages are named below {@code
 * org.calvaria}; {@code org.calvaria.LayeringTest} holds the order.
 */
package org.calvaria.implant;
