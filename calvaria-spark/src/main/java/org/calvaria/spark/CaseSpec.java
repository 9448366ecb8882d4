package org.calvaria.spark;

import java.io.Serializable;

/** One case of a batch: its id (names its outputs) and its input, as a Hadoop path or URI string. */
public record CaseSpec(String id, String input) implements Serializable {}
