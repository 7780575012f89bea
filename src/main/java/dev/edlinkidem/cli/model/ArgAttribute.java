package dev.edlinkidem.cli.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonPrimitive;
import java.util.function.Function;
import picocli.CommandLine.Help;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Range;
import picocli.CommandLine.ScopeType;

/**
 * One attribute of an option or positional parameter: how {@link ModelFile} writes it from the
 * model picocli read from annotations, and how {@link CommandModel} gives it to picocli's builder.
 * The file holds an attribute only where it differs from what the builder has by default.
 */
enum ArgAttribute {
  TYPE(a -> str(a.type().getName()), (b, v, f) -> b.type(CommandModel.type(v.getAsString()))),
  AUXILIARY_TYPES(
      a -> classNames(a.auxiliaryTypes()),
      (b, v, f) -> {
        JsonArray names = v.getAsJsonArray();
        Class<?>[] types = new Class<?>[names.size()];
        for (int i = 0; i < types.length; i++) {
          types[i] = CommandModel.type(names.get(i).getAsString());
        }
        b.auxiliaryTypes(types);
      }),
  ARITY(a -> range(a.arity()), (b, v, f) -> b.arity(range(v))),
  CONVERTERS(
      a -> {
        Object[] converters = a.converters();
        Class<?>[] types = new Class<?>[converters.length];
        for (int i = 0; i < types.length; i++) {
          types[i] = converters[i].getClass();
        }
        return classNames(types);
      },
      (b, v, f) -> {
        JsonArray names = v.getAsJsonArray();
        ITypeConverter<?>[] converters = new ITypeConverter<?>[names.size()];
        for (int i = 0; i < converters.length; i++) {
          converters[i] =
              (ITypeConverter<?>)
                  CommandModel.create(f, CommandModel.type(names.get(i).getAsString()));
        }
        b.converters(converters);
      }),
  DESCRIPTION(a -> strings(a.description()), (b, v, f) -> b.description(strings(v))),
  DESCRIPTION_KEY(a -> str(a.descriptionKey()), (b, v, f) -> b.descriptionKey(string(v))),
  PARAM_LABEL(a -> str(a.paramLabel()), (b, v, f) -> b.paramLabel(string(v))),
  HIDE_PARAM_SYNTAX(
      a -> bool(a.hideParamSyntax()), (b, v, f) -> b.hideParamSyntax(v.getAsBoolean())),
  HIDDEN(a -> bool(a.hidden()), (b, v, f) -> b.hidden(v.getAsBoolean())),
  /** A class of candidates of its own; an enum's come from its type, as picocli gives them. */
  COMPLETION_CANDIDATES(
      a ->
          a.completionCandidates() == null || a.typeInfo().isEnum()
              ? JsonNull.INSTANCE
              : str(a.completionCandidates().getClass().getName()),
      (b, v, f) -> {
        @SuppressWarnings("unchecked")
        Iterable<String> candidates =
            (Iterable<String>) CommandModel.create(f, CommandModel.type(v.getAsString()));
        b.completionCandidates(candidates);
      }),
  /**
   * Required as declared: an exclusive group makes each of its arguments required, and marks it
   * originally required, when it adds it; the builder must see the argument as it was before.
   */
  REQUIRED(
      a -> bool(a.required() && !a.originallyRequired()),
      (b, v, f) -> b.required(v.getAsBoolean())),
  INTERACTIVE(a -> bool(a.interactive()), (b, v, f) -> b.interactive(v.getAsBoolean())),
  ECHO(a -> bool(a.echo()), (b, v, f) -> b.echo(v.getAsBoolean())),
  PROMPT(a -> str(a.prompt()), (b, v, f) -> b.prompt(string(v))),
  SPLIT(a -> str(a.splitRegex()), (b, v, f) -> b.splitRegex(string(v))),
  SPLIT_SYNOPSIS_LABEL(
      a -> str(a.splitRegexSynopsisLabel()), (b, v, f) -> b.splitRegexSynopsisLabel(string(v))),
  DEFAULT_VALUE(a -> str(a.defaultValue()), (b, v, f) -> b.defaultValue(string(v))),
  SHOW_DEFAULT_VALUE(
      a -> str(a.showDefaultValue().name()),
      (b, v, f) -> b.showDefaultValue(Help.Visibility.valueOf(v.getAsString()))),
  SCOPE_TYPE(
      a -> str(a.scopeType().name()), (b, v, f) -> b.scopeType(ScopeType.valueOf(v.getAsString()))),
  MAP_FALLBACK_VALUE(a -> str(a.mapFallbackValue()), (b, v, f) -> b.mapFallbackValue(string(v))),
  TO_STRING(a -> str(a.toString()), (b, v, f) -> b.withToString(string(v))),
  INDEX(
      a -> a.isOption() ? JsonNull.INSTANCE : range(((PositionalParamSpec) a).index()),
      (b, v, f) -> b.positional().index(range(v))),
  ORDER(
      a -> a.isOption() ? new JsonPrimitive(((OptionSpec) a).order()) : JsonNull.INSTANCE,
      (b, v, f) -> b.option().order(v.getAsInt())),
  USAGE_HELP(
      a -> a.isOption() ? bool(((OptionSpec) a).usageHelp()) : JsonNull.INSTANCE,
      (b, v, f) -> b.option().usageHelp(v.getAsBoolean())),
  VERSION_HELP(
      a -> a.isOption() ? bool(((OptionSpec) a).versionHelp()) : JsonNull.INSTANCE,
      (b, v, f) -> b.option().versionHelp(v.getAsBoolean())),
  HELP(
      a -> a.isOption() ? bool(((OptionSpec) a).help()) : JsonNull.INSTANCE,
      (b, v, f) -> b.option().help(v.getAsBoolean())),
  NEGATABLE(
      a -> a.isOption() ? bool(((OptionSpec) a).negatable()) : JsonNull.INSTANCE,
      (b, v, f) -> b.option().negatable(v.getAsBoolean())),
  FALLBACK_VALUE(
      a -> a.isOption() ? str(((OptionSpec) a).fallbackValue()) : JsonNull.INSTANCE,
      (b, v, f) -> b.option().fallbackValue(string(v)));

  /** How an attribute goes to picocli's builder. */
  @FunctionalInterface
  interface Apply {
    void to(ArgBuilder builder, JsonElement value, IFactory factory);
  }

  private final Function<ArgSpec, JsonElement> read;
  private final Apply apply;

  ArgAttribute(Function<ArgSpec, JsonElement> read, Apply apply) {
    this.read = read;
    this.apply = apply;
  }

  /** The key of this attribute in the file. */
  String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The attribute's value in {@code arg}; null when it is the same in {@code bare}, an argument of
   * the same kind as the builder makes it with nothing set.
   */
  JsonElement written(ArgSpec arg, ArgSpec bare) {
    JsonElement value = read.apply(arg);
    return value.equals(read.apply(bare)) ? null : value;
  }

  void apply(ArgBuilder builder, JsonElement value, IFactory factory) {
    apply.to(builder, value, factory);
  }

  private static JsonElement str(String s) {
    return s == null ? JsonNull.INSTANCE : new JsonPrimitive(s);
  }

  private static JsonElement bool(boolean b) {
    return new JsonPrimitive(b);
  }

  private static JsonElement strings(String[] values) {
    JsonArray array = new JsonArray();
    for (String value : values) {
      array.add(value);
    }
    return array;
  }

  private static JsonElement classNames(Class<?>[] types) {
    JsonArray array = new JsonArray();
    for (Class<?> type : types) {
      array.add(type.getName());
    }
    return array;
  }

  /** A range with whether it was left unspecified, which decides how picocli shows and uses it. */
  private static JsonElement range(Range range) {
    JsonArray array = new JsonArray();
    array.add(range.toString());
    array.add(range.isUnspecified());
    return array;
  }

  private static Range range(JsonElement value) {
    JsonArray array = value.getAsJsonArray();
    return Range.valueOf(array.get(0).getAsString()).unspecified(array.get(1).getAsBoolean());
  }

  private static String string(JsonElement value) {
    return value.isJsonNull() ? null : value.getAsString();
  }

  static String[] strings(JsonElement value) {
    JsonArray array = value.getAsJsonArray();
    String[] result = new String[array.size()];
    for (int i = 0; i < result.length; i++) {
      result[i] = array.get(i).getAsString();
    }
    return result;
  }
}
