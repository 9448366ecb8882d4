/**
 * {@code calvaria-spark}: batch design, evaluation and dataset building on Apache Spark, one case per task; run with
 * {@code ./calvaria-spark} (embedded local Spark) or {@code spark-submit}. It sits above the whole of {@code
 * calvaria-core} and may import any of its packages; nothing in {@code calvaria-core} imports it.
 */
package org.calvaria.spark;
