/**
 * Binary morphology on masks: connected components, hole filling, dilation, erosion, opening, closing, median
 * filtering, structuring elements and bounding boxes. Pure algorithms on volumes; no file formats. On the design path,
 * it may import the packages before it (the root package, {@code volume} and {@code files}); no other package of
 * Calvaria. Packages are named below {@code org.calvaria}; {@code org.calvaria.LayeringTest} holds the order.
 */
package org.calvaria.morphology;
