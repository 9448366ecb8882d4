/**
 * From the implant mask to the part a surgeon can use: wall thickness control, fit clearance, cropping, thickness maps
 * and gaps to bone, self-intersection checks, the two-part casting mould and 3MF files. On the design path, it may
 * import the packages before it (the root package, {@code volume}, {@code files}, {@code morphology}, {@code io},
 * {@code segment}, {@code normalise}, {@code complete}, {@code implant}, {@code mesh} and {@code render}), and also
 * {@code evaluate}; no other package of Calvaria. Packages are named below {@code org.calvaria}; {@code
 * org.calvaria.LayeringTest} holds the order.
 */
package org.calvaria.manufacture;
