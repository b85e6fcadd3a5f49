package io.omelet.tuning;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Walks the full grid of a discretised space, in an order shuffled by the seed: floats at
 * {@code floatPoints} evenly spread values (on the log scale for log ones), linear integers at every step,
 * log integers at {@code floatPoints} values on the log scale, every categorical choice, and each choice's
 * conditional branch crossed with its own grid. A point already taken by a trial (running or finished,
 * warm-start trials included) is not proposed again; when all are taken the grid is exhausted.
 */
public final class GridSampler implements Sampler {
  /** Beyond this the grid is a mistake (an integer range too wide for a grid), said before any trial runs. */
  static final int MAX_POINTS = 1_000_000;

  private final int floatPoints;
  private final long seed;
  private SearchSpace gridSpace;
  private List<Map<String, Object>> grid;

  public GridSampler(int floatPoints, long seed) {
    if (floatPoints < 2) throw new IllegalArgumentException("a grid needs at least 2 points per float, got " + floatPoints);
    this.floatPoints = floatPoints;
    this.seed = seed;
  }

  /** The grid's points in the order they are proposed. */
  public synchronized List<Map<String, Object>> points(SearchSpace space) {
    if (!space.equals(gridSpace)) {
      List<Map<String, Object>> g = enumerate(space.parameters());
      Collections.shuffle(g, new Random(seed));
      grid = Collections.unmodifiableList(g);
      gridSpace = space;
    }
    return grid;
  }

  @Override
  public Map<String, Object> sample(SearchSpace space, List<Trial> trials, Direction direction) {
    Set<Map<String, Object>> taken = taken(trials);
    for (Map<String, Object> p : points(space)) {
      if (!taken.contains(p)) return p;
    }
    throw new IllegalStateException("the grid of " + grid.size() + " points is exhausted");
  }

  @Override
  public boolean isExhausted(SearchSpace space, List<Trial> trials) {
    return taken(trials).containsAll(points(space));
  }

  private static Set<Map<String, Object>> taken(List<Trial> trials) {
    Set<Map<String, Object>> taken = new HashSet<>();
    for (Trial t : trials) taken.add(t.params());
    return taken;
  }

  /** The cross product of each parameter's options, where a categorical's option is a choice with its branch. */
  private List<Map<String, Object>> enumerate(List<Parameter> params) {
    List<Map<String, Object>> out = new ArrayList<>();
    out.add(new LinkedHashMap<>());
    for (Parameter p : params) {
      List<Map<String, Object>> options = options(p);
      long size = (long) out.size() * options.size();
      if (size > MAX_POINTS) {
        throw new IllegalArgumentException("the grid has more than " + MAX_POINTS + " points (at parameter " + p.name()
            + "); use fewer float points or a larger integer step");
      }
      List<Map<String, Object>> next = new ArrayList<>((int) size);
      for (Map<String, Object> partial : out) {
        for (Map<String, Object> o : options) {
          Map<String, Object> m = new LinkedHashMap<>(partial);
          m.putAll(o);
          next.add(m);
        }
      }
      out = next;
    }
    return out;
  }

  private List<Map<String, Object>> options(Parameter p) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (p instanceof NumericParameter n) {
      for (Object v : n.gridValues(floatPoints)) out.add(Map.of(p.name(), v));
    } else {
      CategoricalParameter c = (CategoricalParameter) p;
      for (int i = 0; i < c.size(); i++) {
        Map<String, Object> choice = Map.of(p.name(), c.choices().get(i));
        if (c.children(i).isEmpty()) {
          out.add(choice);
          continue;
        }
        for (Map<String, Object> branch : enumerate(c.children(i))) {
          Map<String, Object> m = new LinkedHashMap<>(choice);
          m.putAll(branch);
          out.add(m);
        }
      }
    }
    return out;
  }

  @Override
  public String name() {
    return "grid";
  }
}
