package io.omelet.profile;

import java.util.ArrayList;
import java.util.List;

/** The first rows and a uniform random sample, values as text (null stays null). */
public final class Samples {
  public List<String> columns = new ArrayList<>();
  public List<List<String>> head = new ArrayList<>();
  public List<List<String>> random = new ArrayList<>();
}
