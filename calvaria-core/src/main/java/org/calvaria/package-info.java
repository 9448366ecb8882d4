/**
 * The root of Calvaria: what every package shares, namely {@code CalvariaException} (a failure told to the user in one
 * line), {@code Progress} (progress reporting from library code) and {@code Provenance} (tool version and how an
 * output was made). It is the bottom of the package order and imports no other package of Calvaria. {@code
 * org.calvaria.LayeringTest} holds the package order.
 */
package org.calvaria;
