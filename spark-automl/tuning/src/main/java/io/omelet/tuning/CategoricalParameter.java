package io.omelet.tuning;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * A choice among values of any type (strings, booleans, numbers). A choice may activate its own child
 * parameters ({@link #when}): a conditional sub-space, nested as deep as needed, e.g. {@code model} in
 * {gbt, rf} where gbt brings {@code gbt.stepSize} and rf brings {@code rf.numTrees}. Children of a choice
 * exist in a trial only when that choice was taken.
 */
public final class CategoricalParameter implements Parameter {
  private final String name;
  private final List<Object> choices;
  /** Per choice index, the parameters that choice activates (empty for most). */
  private final List<List<Parameter>> children;

  CategoricalParameter(String name, List<?> choices) {
    this(name, choices, null);
  }

  private CategoricalParameter(String name, List<?> choices, List<List<Parameter>> children) {
    this.name = Parameter.checkName(name);
    if (choices == null || choices.isEmpty()) {
      throw new IllegalArgumentException("parameter " + name + ": a categorical needs at least one choice");
    }
    List<Object> copy = new ArrayList<>(choices.size());
    for (Object c : choices) {
      if (c == null) throw new IllegalArgumentException("parameter " + name + ": a choice cannot be null");
      if (indexIn(copy, c) >= 0) {
        throw new IllegalArgumentException("parameter " + name + ": choice " + describe(c) + " appears twice");
      }
      copy.add(c);
    }
    this.choices = Collections.unmodifiableList(copy);
    if (children == null) {
      children = new ArrayList<>();
      for (int i = 0; i < copy.size(); i++) children.add(List.of());
    }
    this.children = Collections.unmodifiableList(children);
  }

  /** A copy of this parameter where {@code choice} activates {@code params}. */
  public CategoricalParameter when(Object choice, Parameter... params) {
    int i = indexOf(choice);
    if (i < 0) {
      throw new IllegalArgumentException("parameter " + name + " has no choice " + describe(choice) + " (choices: "
          + choices + ")");
    }
    if (!children.get(i).isEmpty()) {
      throw new IllegalArgumentException("parameter " + name + ": choice " + describe(choice)
          + " already has child parameters; give them all in one when(...)");
    }
    if (params.length == 0) {
      throw new IllegalArgumentException("parameter " + name + ": when(" + describe(choice) + ") needs parameters");
    }
    List<List<Parameter>> next = new ArrayList<>(children);
    for (Parameter p : params) Objects.requireNonNull(p, "a child parameter of " + name + " is null");
    next.set(i, List.of(params));
    return new CategoricalParameter(name, choices, next);
  }

  @Override
  public String name() {
    return name;
  }

  public List<Object> choices() {
    return choices;
  }

  public int size() {
    return choices.size();
  }

  /** The parameters that the choice at {@code index} activates (empty when none). */
  public List<Parameter> children(int index) {
    return children.get(index);
  }

  public boolean hasChildren() {
    return children.stream().anyMatch(c -> !c.isEmpty());
  }

  /** The index of {@code value} among the choices, -1 when absent; numbers match by value (1 matches 1L, 1.0). */
  public int indexOf(Object value) {
    return indexIn(choices, value);
  }

  private static int indexIn(List<Object> choices, Object value) {
    if (value == null) return -1;
    int i = choices.indexOf(value);
    if (i >= 0) return i;
    for (int j = 0; j < choices.size(); j++) {
      Object c = choices.get(j);
      if (c instanceof Number a && value instanceof Number b && a.doubleValue() == b.doubleValue()) return j;
    }
    return -1;
  }

  @Override
  public Object canonical(Object value) {
    int i = indexOf(value);
    if (i < 0 && value instanceof String s) {
      // A value read back as text (e.g. from a tracked run's params): match a choice's own text.
      for (int j = 0; j < choices.size() && i < 0; j++) if (String.valueOf(choices.get(j)).equals(s)) i = j;
    }
    if (i < 0) {
      throw new IllegalArgumentException("parameter " + name + ": " + describe(value) + " is not one of " + choices);
    }
    return choices.get(i);
  }

  @Override
  public Object sampleUniform(Random rng) {
    return choices.get(rng.nextInt(choices.size()));
  }

  private static String describe(Object c) {
    return c instanceof String ? "'" + c + "'" : String.valueOf(c);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CategoricalParameter p && p.name.equals(name) && p.choices.equals(choices)
        && p.children.equals(children);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, choices, children);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(name + " ~ categorical" + choices);
    for (int i = 0; i < choices.size(); i++) {
      if (!children.get(i).isEmpty()) s.append(" when ").append(describe(choices.get(i))).append(": ").append(children.get(i));
    }
    return s.toString();
  }
}
