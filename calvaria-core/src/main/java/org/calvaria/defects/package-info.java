/**
 * Artificial defects: holes of several shapes cut into intact skulls at chosen places on the vault, augmentation, and
 * previews of the result. Beside the design path, it may import the root package, {@code volume}, {@code files},
 * {@code morphology} and {@code normalise}, and no other package of Calvaria. Packages are named below {@code
 * org.calvaria}; {@code org.calvaria.LayeringTest} holds the order.
 */
package org.calvaria.defects;
