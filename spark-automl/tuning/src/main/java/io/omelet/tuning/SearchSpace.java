package io.omelet.tuning;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * The parameters a study searches: a list of top-level parameters, where a categorical may open a
 * conditional sub-space per choice. Names are unique across the whole tree, so a trial's parameters are
 * a flat map from name to value holding exactly the parameters that were active.
 */
public final class SearchSpace {
  private final List<Parameter> parameters;
  private final List<Parameter> all;
  private final Map<String, Parameter> byName;

  private SearchSpace(List<Parameter> parameters) {
    if (parameters == null || parameters.isEmpty()) {
      throw new IllegalArgumentException("the search space is empty: give it at least one parameter");
    }
    this.parameters = List.copyOf(parameters);
    List<Parameter> flat = new ArrayList<>();
    flatten(this.parameters, flat);
    Map<String, Parameter> names = new LinkedHashMap<>();
    for (Parameter p : flat) {
      if (names.put(p.name(), p) != null) {
        throw new IllegalArgumentException("parameter name '" + p.name() + "' appears twice in the search space;"
            + " qualify the names of conditional branches (e.g. gbt." + p.name() + ")");
      }
    }
    this.all = Collections.unmodifiableList(flat);
    this.byName = Collections.unmodifiableMap(names);
  }

  public static SearchSpace of(Parameter... parameters) {
    return new SearchSpace(parameters == null ? null : List.of(parameters));
  }

  public static SearchSpace of(List<Parameter> parameters) {
    return new SearchSpace(parameters);
  }

  private static void flatten(List<Parameter> ps, List<Parameter> out) {
    for (Parameter p : ps) {
      out.add(p);
      if (p instanceof CategoricalParameter c) {
        for (int i = 0; i < c.size(); i++) flatten(c.children(i), out);
      }
    }
  }

  /** The top-level parameters. */
  public List<Parameter> parameters() {
    return parameters;
  }

  /** Every parameter, conditional ones included, parents before their children. */
  public List<Parameter> allParameters() {
    return all;
  }

  public Parameter parameter(String name) {
    Parameter p = byName.get(name);
    if (p == null) throw new IllegalArgumentException("the search space has no parameter '" + name + "'");
    return p;
  }

  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  /**
   * Values for the parameters of one trial: {@code valueOf} gives each active parameter's value, top-level
   * ones in order, and the children of a categorical's chosen value right after it.
   */
  public Map<String, Object> assign(Function<Parameter, Object> valueOf) {
    Map<String, Object> out = new LinkedHashMap<>();
    assign(parameters, valueOf, out);
    return out;
  }

  private static void assign(List<Parameter> ps, Function<Parameter, Object> valueOf, Map<String, Object> out) {
    for (Parameter p : ps) {
      Object v = p.canonical(valueOf.apply(p));
      out.put(p.name(), v);
      if (p instanceof CategoricalParameter c) assign(c.children(c.indexOf(v)), valueOf, out);
    }
  }

  public Map<String, Object> sampleUniform(Random rng) {
    return assign(p -> p.sampleUniform(rng));
  }

  /**
   * {@code params} checked against the space (every active parameter present with a value it can take, no
   * inactive or unknown one), as canonical values in the space's order; otherwise a message saying what is
   * wrong.
   */
  public Map<String, Object> check(Map<String, ?> params) {
    Set<String> seen = new HashSet<>();
    Map<String, Object> out = assign(p -> {
      if (!params.containsKey(p.name())) {
        throw new IllegalArgumentException("the parameters " + params + " miss '" + p.name() + "'");
      }
      seen.add(p.name());
      return params.get(p.name());
    });
    for (String k : params.keySet()) {
      if (!seen.contains(k)) {
        throw new IllegalArgumentException(byName.containsKey(k)
            ? "parameter '" + k + "' is not active for the choices in " + params
            : "the search space has no parameter '" + k + "'");
      }
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SearchSpace s && s.parameters.equals(parameters);
  }

  @Override
  public int hashCode() {
    return parameters.hashCode();
  }

  @Override
  public String toString() {
    return parameters.toString();
  }
}
