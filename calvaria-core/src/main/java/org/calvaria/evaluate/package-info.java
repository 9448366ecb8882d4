/**
 * Evaluation: metrics (Dice, Hausdorff and surface distances), the distance transform, baseline predictors, evaluation
 * over a dataset and its reports, and the defect-size study. Beside the design path, it may import the root package,
 * {@code volume}, {@code files}, {@code morphology}, {@code io}, {@code normalise}, {@code implant}, {@code render} (its
 * pictures) and {@code defects}, and no other package of Calvaria. Packages are named below {@code org.calvaria}; {@code
 * org.calvaria.LayeringTest} holds the order.
 */
package org.calvaria.evaluate;
