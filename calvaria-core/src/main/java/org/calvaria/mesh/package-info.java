/**
 * Triangle meshes: watertight marching cubes in LPS millimetres, smoothing, decimation, welding, voxelisation, and
 * mesh files (STL, PLY, OBJ, MZ3). On the design path, it may import the packages before it (the root package, {@code
 * volume}, {@code files}, {@code morphology}, {@code io}, {@code segment}, {@code normalise}, {@code complete} and
 * {@code implant}); no other package of Calvaria. Packages are named below {@code org.calvaria}; {@code
 * org.calvaria.LayeringTest} holds the order.
 */
package org.calvaria.mesh;
