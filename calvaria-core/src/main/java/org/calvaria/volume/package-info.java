/**
 * 3-D images on a physical grid: {@code Geometry} (LPS millimetres, full direction matrix, shear handled exactly), the
 * mask, 16-bit and float volumes, and resampling between grids. On the design path, it may import the packages before
 * it (the root package); no other package of Calvaria. Packages are named below {@code org.calvaria}; {@code
 * org.calvaria.LayeringTest} holds the order.
 */
package org.calvaria.volume;
