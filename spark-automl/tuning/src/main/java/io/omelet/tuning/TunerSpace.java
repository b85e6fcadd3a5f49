package io.omelet.tuning;

import io.omelet.registry.OmeletRegistry;
import io.omelet.registry.Preset;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.FloatParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;

/**
 * A search space over a Spark ML estimator's own {@link Param}s: each searched parameter is bound to a
 * Param of the estimator or of a stage of its pipeline, and a {@link #option choice} picks one of several
 * estimators for a pipeline slot, each option with its own parameters (a conditional sub-space).
 *
 * <pre>{@code
 * TunerSpace space = TunerSpace.builder()
 *     .integer(assembler...)                                    // any stage's Param
 *     .choice("model",
 *         TunerSpace.option("gbt", gbt).logUniform(gbt.stepSize(), 0.01, 0.3).integer(gbt.maxDepth(), 2, 8),
 *         TunerSpace.option("rf", rf).integer(rf.numTrees(), 10, 100))
 *     .build();
 * // the pipeline holds one of the options (gbt or rf) where the choice goes:
 * new Pipeline().setStages(new PipelineStage[] {indexer, assembler, gbt});
 * }</pre>
 *
 * Parameter names (as trials, tracking and importance show them) are the Param's name
 * ({@code maxDepth}), prefixed in an option's branch by the option ({@code gbt.maxDepth}), and by the
 * stage's uid prefix when two stages' Params share a name ({@code gbtc.maxIter}, {@code logreg.maxIter}).
 * The core {@link SearchSpace} ({@link #space()}) does the sampling; this class maps its values onto
 * a {@link ParamMap} (and the chosen stages) for each trial.
 */
public final class TunerSpace implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The registry preset kind under which spaces are saved. */
  public static final String PRESET_KIND = "tuning-space";

  private final transient SearchSpace space;
  private final String spaceJson;
  /** Parameter name to the Param it sets. */
  private final Map<String, Param<?>> params;
  /** Choice name to its options, by option name. */
  private final Map<String, Map<String, PipelineStage>> choices;

  TunerSpace(SearchSpace space, Map<String, Param<?>> params, Map<String, Map<String, PipelineStage>> choices) {
    this.space = space;
    this.spaceJson = SpaceJson.toJson(space);
    this.params = Collections.unmodifiableMap(params);
    this.choices = Collections.unmodifiableMap(choices);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** An option of a {@link Builder#choice}: {@code stage} goes into the pipeline slot when chosen. */
  public static Option option(String name, PipelineStage stage) {
    return new Option(name, stage);
  }

  /** The core space the samplers see. */
  public SearchSpace space() {
    return space != null ? space : SpaceJson.fromJson(spaceJson);
  }

  /** Parameter name to the Param it sets (choices not included). */
  public Map<String, Param<?>> params() {
    return params;
  }

  /** Choice name to its options' stages, by option name. */
  public Map<String, Map<String, PipelineStage>> choices() {
    return choices;
  }

  // ------------------------------------------------------------------ building

  /** The entries both a builder and an option take: Params with their ranges or choices. */
  @SuppressWarnings("unchecked")
  public abstract static class Entries<B extends Entries<B>> {
    final List<Object> entries = new ArrayList<>(); // Bound or Choice

    B add(Param<?> p, String kind, Function<String, Parameter> make) {
      if (p == null) throw new IllegalArgumentException("a Param given to the search space is null");
      entries.add(new Bound(p, kind, make));
      return (B) this;
    }

    public B uniform(Param<?> p, double low, double high) {
      requireReal(p, "uniform");
      return add(p, "uniform", n -> Parameter.uniform(n, low, high));
    }

    public B logUniform(Param<?> p, double low, double high) {
      requireReal(p, "logUniform");
      return add(p, "logUniform", n -> Parameter.logUniform(n, low, high));
    }

    public B integer(Param<?> p, int low, int high) {
      requireNumber(p, "integer");
      return add(p, "integer", n -> Parameter.integer(n, low, high));
    }

    public B integer(Param<?> p, int low, int high, int step) {
      requireNumber(p, "integer");
      return add(p, "integer", n -> Parameter.integer(n, low, high, step));
    }

    public B logInteger(Param<?> p, int low, int high) {
      requireNumber(p, "logInteger");
      return add(p, "logInteger", n -> Parameter.logInteger(n, low, high));
    }

    /** A choice among values of the Param (strings, booleans, numbers of its type). */
    public B categorical(Param<?> p, Object... choices) {
      return add(p, "categorical", n -> Parameter.categorical(n, choices == null ? List.of() : java.util.Arrays.asList(choices)));
    }

    /** A categorical over {@code options}' stages: the chosen one takes the pipeline slot that holds one of them. */
    public B choice(String name, Option... options) {
      entries.add(new Choice(Parameter.checkName(name), options == null ? List.of() : List.of(options)));
      return (B) this;
    }

    private static void requireReal(Param<?> p, String what) {
      if (p != null && !(p instanceof DoubleParam || p instanceof FloatParam)) {
        throw new IllegalArgumentException(what + "(" + ParamValues.describe(p) + "): " + p.name() + " is a " + p.getClass().getSimpleName()
            + ", not a DoubleParam; use integer(...) or categorical(...)");
      }
    }

    private static void requireNumber(Param<?> p, String what) {
      if (p != null && !(p instanceof IntParam || p instanceof LongParam || p instanceof DoubleParam || p instanceof FloatParam)) {
        throw new IllegalArgumentException(what + "(" + ParamValues.describe(p) + "): " + p.name() + " is a " + p.getClass().getSimpleName()
            + ", not a numeric Param; use categorical(...)");
      }
    }
  }

  public static final class Builder extends Entries<Builder> {
    private Builder() {}

    /** The space; checks every range and choice, and every bound against the Param's own validator. */
    public TunerSpace build() {
      // Names: the Param's name, option-prefixed in a branch; stage-prefixed where two collide.
      Map<String, Integer> counts = new HashMap<>();
      count(entries, "", counts);
      Map<String, Param<?>> params = new LinkedHashMap<>();
      Map<String, Map<String, PipelineStage>> choices = new LinkedHashMap<>();
      List<Parameter> top = make(entries, "", counts, params, choices);
      return new TunerSpace(SearchSpace.of(top), params, choices);
    }

    private static void count(List<Object> entries, String prefix, Map<String, Integer> counts) {
      for (Object e : entries) {
        if (e instanceof Bound b) counts.merge(prefix + b.param.name(), 1, Integer::sum);
        else {
          Choice c = (Choice) e;
          counts.merge(prefix + c.name, 1, Integer::sum);
          for (Option o : c.options) count(o.entries, prefix + o.name + ".", counts);
        }
      }
    }

    private static List<Parameter> make(List<Object> entries, String prefix, Map<String, Integer> counts,
        Map<String, Param<?>> params, Map<String, Map<String, PipelineStage>> choices) {
      List<Parameter> out = new ArrayList<>();
      for (Object e : entries) {
        if (e instanceof Bound b) {
          String name = prefix + b.param.name();
          if (counts.get(name) > 1) name = prefix + PipelineStages.uidPrefix(b.param.parent()) + "." + b.param.name();
          Parameter p = b.make.apply(name);
          ParamValues.checkValid(b.param, p);
          if (params.containsKey(name)) {
            throw new IllegalArgumentException("Param " + ParamValues.describe(b.param) + " is in the search space twice");
          }
          params.put(name, b.param);
          out.add(p);
        } else {
          Choice c = (Choice) e;
          if (c.options.isEmpty()) {
            throw new IllegalArgumentException("parameter " + prefix + c.name + ": a choice needs at least one option");
          }
          String name = prefix + c.name;
          List<Object> names = new ArrayList<>();
          Map<String, PipelineStage> stages = new LinkedHashMap<>();
          for (Option o : c.options) {
            if (o == null) throw new IllegalArgumentException("parameter " + name + ": an option is null");
            names.add(o.name);
            if (stages.put(o.name, o.stage) != null) {
              throw new IllegalArgumentException("parameter " + name + ": option '" + o.name + "' appears twice");
            }
          }
          CategoricalParameter cat = Parameter.categorical(name, names);
          for (Option o : c.options) {
            List<Parameter> children = make(o.entries, prefix + o.name + ".", counts, params, choices);
            if (!children.isEmpty()) cat = cat.when(o.name, children.toArray(new Parameter[0]));
          }
          if (choices.put(name, stages) != null) throw new IllegalArgumentException("choice " + name + " appears twice");
          out.add(cat);
        }
      }
      return out;
    }
  }

  /** One option of a choice: a stage and the parameters of its branch. */
  public static final class Option extends Entries<Option> {
    final String name;
    final PipelineStage stage;

    private Option(String name, PipelineStage stage) {
      this.name = Parameter.checkName(name);
      if (name.contains(".")) throw new IllegalArgumentException("option name '" + name + "' cannot contain a dot");
      if (stage == null) throw new IllegalArgumentException("option '" + name + "' needs a stage (an estimator)");
      this.stage = stage;
    }
  }

  private record Bound(Param<?> param, String kind, Function<String, Parameter> make) {}

  private record Choice(String name, List<Option> options) {}

  // ------------------------------------------------------------------ checking against an estimator

  /**
   * Checks that every Param belongs to {@code estimator} (a stage of its pipeline, nested pipelines and
   * the options of choices included) and that each choice has a slot: one of its options is a stage of the
   * estimator (or the estimator itself). Runs no job.
   */
  public void check(PipelineStage estimator) {
    Map<String, PipelineStage> reachable = new LinkedHashMap<>();
    PipelineStages.collect(estimator, reachable);
    for (Map<String, PipelineStage> opts : choices.values()) for (PipelineStage s : opts.values()) PipelineStages.collect(s, reachable);
    for (Map.Entry<String, Param<?>> e : params.entrySet()) {
      Param<?> p = e.getValue();
      PipelineStage owner = reachable.get(p.parent());
      if (owner == null || !owner.hasParam(p.name())) {
        throw new IllegalArgumentException("parameter " + e.getKey() + ": Param " + p.name() + " of " + p.parent()
            + " does not belong to the estimator " + PipelineStages.name(estimator) + " (its stages: " + PipelineStages.names(estimator)
            + (choices.isEmpty() ? "" : ", and the options of " + choices.keySet()) + ")");
      }
    }
    for (Map.Entry<String, Map<String, PipelineStage>> c : choices.entrySet()) {
      Map<String, PipelineStage> inEstimator = new LinkedHashMap<>();
      PipelineStages.collect(estimator, inEstimator);
      for (Map.Entry<String, Map<String, PipelineStage>> other : choices.entrySet()) {
        if (other.getKey().equals(c.getKey())) continue;
        for (PipelineStage s : other.getValue().values()) PipelineStages.collect(s, inEstimator);
      }
      boolean slot = c.getValue().values().stream().anyMatch(s -> inEstimator.containsKey(s.uid()));
      if (!slot) {
        List<String> opts = new ArrayList<>();
        c.getValue().forEach((k, s) -> opts.add(k + ": " + PipelineStages.name(s)));
        throw new IllegalArgumentException("choice " + c.getKey() + ": none of its options (" + String.join(", ", opts)
            + ") is a stage of the estimator " + PipelineStages.name(estimator) + " (its stages: " + PipelineStages.names(estimator)
            + "); put one of them where the choice goes");
      }
    }
  }

  // ------------------------------------------------------------------ one trial's estimator and params

  /** The estimator a trial fits (the chosen option when the estimator itself is a choice's option) and its ParamMap. */
  public record Resolved(Estimator<?> estimator, ParamMap paramMap) {}

  /** Maps one trial's values onto {@code estimator}: its Params set, chosen options put into their slots. */
  public Resolved resolve(Estimator<?> estimator, Map<String, Object> values) {
    ParamMap pm = new ParamMap();
    for (Map.Entry<String, Object> e : values.entrySet()) {
      Param<?> p = params.get(e.getKey());
      if (p == null) continue; // a choice
      put(pm, p, ParamValues.convert(p, e.getValue()));
    }
    IdentityHashMap<PipelineStage, PipelineStage> subst = new IdentityHashMap<>();
    for (Map.Entry<String, Map<String, PipelineStage>> c : choices.entrySet()) {
      Object chosen = values.get(c.getKey());
      if (chosen == null) continue;
      PipelineStage to = c.getValue().get(String.valueOf(chosen));
      for (PipelineStage from : c.getValue().values()) subst.put(from, to);
    }
    PipelineStage root = rebuild(estimator, subst, pm, new IdentityHashMap<>());
    if (!(root instanceof Estimator<?> est)) {
      throw new IllegalArgumentException("the chosen stage " + PipelineStages.name(root) + " is not an Estimator");
    }
    return new Resolved(est, pm);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void put(ParamMap pm, Param<?> p, Object v) {
    pm.put((Param) p, v);
  }

  private static PipelineStage rebuild(PipelineStage s, IdentityHashMap<PipelineStage, PipelineStage> subst, ParamMap pm,
      IdentityHashMap<PipelineStage, Boolean> seen) {
    PipelineStage t = subst.getOrDefault(s, s);
    if (t instanceof Pipeline p && p.isDefined(p.stages()) && seen.put(p, true) == null) {
      PipelineStage[] stages = p.getStages();
      PipelineStage[] next = new PipelineStage[stages.length];
      boolean changed = false;
      for (int i = 0; i < stages.length; i++) {
        next[i] = rebuild(stages[i], subst, pm, seen);
        changed |= next[i] != stages[i];
      }
      if (changed) put(pm, p.stages(), next);
    }
    return t;
  }

  // ------------------------------------------------------------------ JSON and presets

  /**
   * The space as JSON: the core space, and per parameter the stage uid and Param name it sets, per choice
   * each option's stage uid.
   */
  public String toJson() {
    return TunerSpaceJson.write(this);
  }

  /** Only the core space of a {@link #toJson} document (no stages needed). */
  public static SearchSpace coreSpaceFromJson(String json) {
    return TunerSpaceJson.readCore(json);
  }

  /**
   * A space read from {@link #toJson}, bound to {@code stages} (the estimator or pipeline, and the
   * options' estimators): each Param is found by its stage's uid, or else by the uid's prefix (the
   * stage's type, e.g. gbtc) when exactly one given stage has it.
   */
  public static TunerSpace fromJson(String json, PipelineStage... stages) {
    return TunerSpaceJson.read(json, stages);
  }

  /** Saves the space as a registry preset (kind {@value #PRESET_KIND}; settings {"space": JSON}). */
  public Preset savePreset(OmeletRegistry registry, String name, String description) {
    return registry.savePreset(PRESET_KIND, name, Map.of("space", toJson()), description);
  }

  /** A space saved with {@link #savePreset}, bound to {@code stages} (see {@link #fromJson}). */
  public static TunerSpace loadPreset(OmeletRegistry registry, String name, PipelineStage... stages) {
    Preset p = registry.getPreset(PRESET_KIND, name);
    String json = p.settings().get("space");
    if (json == null) throw new IllegalArgumentException("preset " + PRESET_KIND + "/" + name + " holds no 'space'");
    return fromJson(json, stages);
  }

  @Override
  public String toString() {
    return space().toString();
  }
}
