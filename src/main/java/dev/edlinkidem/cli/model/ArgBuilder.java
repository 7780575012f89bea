package dev.edlinkidem.cli.model;

import picocli.CommandLine.Help;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Range;
import picocli.CommandLine.ScopeType;

/**
 * The builder of an option or of a positional parameter, through the setters both have: picocli's
 * builder that declares them is not public, so the two builders are reached through this.
 */
sealed interface ArgBuilder {
  static ArgBuilder forOption(String... names) {
    return new Option(OptionSpec.builder(names));
  }

  static ArgBuilder forPositional() {
    return new Positional(PositionalParamSpec.builder());
  }

  /** The option's own builder, or null for a positional parameter. */
  OptionSpec.Builder option();

  /** The positional parameter's own builder, or null for an option. */
  PositionalParamSpec.Builder positional();

  ArgSpec build();

  void type(Class<?> type);

  void auxiliaryTypes(Class<?>[] types);

  void arity(Range arity);

  void converters(ITypeConverter<?>[] converters);

  void description(String[] description);

  void descriptionKey(String key);

  void paramLabel(String label);

  void hideParamSyntax(boolean hide);

  void hidden(boolean hidden);

  void completionCandidates(Iterable<String> candidates);

  void required(boolean required);

  void interactive(boolean interactive);

  void echo(boolean echo);

  void prompt(String prompt);

  void splitRegex(String regex);

  void splitRegexSynopsisLabel(String label);

  void defaultValue(String value);

  void showDefaultValue(Help.Visibility visibility);

  void scopeType(ScopeType scope);

  void mapFallbackValue(String value);

  void withToString(String text);

  /** Binds the argument to {@code binding}'s field, which holds {@code initial} before parsing. */
  void bind(FieldBinding binding, Object initial);

  void bind(ValueBinding binding);

  /** An option's builder. */
  record Option(OptionSpec.Builder b) implements ArgBuilder {
    @Override
    public OptionSpec.Builder option() {
      return b;
    }

    @Override
    public PositionalParamSpec.Builder positional() {
      return null;
    }

    @Override
    public ArgSpec build() {
      return b.build();
    }

    @Override
    public void type(Class<?> type) {
      b.type(type);
    }

    @Override
    public void auxiliaryTypes(Class<?>[] types) {
      b.auxiliaryTypes(types);
    }

    @Override
    public void arity(Range arity) {
      b.arity(arity);
    }

    @Override
    public void converters(ITypeConverter<?>[] converters) {
      b.converters(converters);
    }

    @Override
    public void description(String[] description) {
      b.description(description);
    }

    @Override
    public void descriptionKey(String key) {
      b.descriptionKey(key);
    }

    @Override
    public void paramLabel(String label) {
      b.paramLabel(label);
    }

    @Override
    public void hideParamSyntax(boolean hide) {
      b.hideParamSyntax(hide);
    }

    @Override
    public void hidden(boolean hidden) {
      b.hidden(hidden);
    }

    @Override
    public void completionCandidates(Iterable<String> candidates) {
      b.completionCandidates(candidates);
    }

    @Override
    public void required(boolean required) {
      b.required(required);
    }

    @Override
    public void interactive(boolean interactive) {
      b.interactive(interactive);
    }

    @Override
    public void echo(boolean echo) {
      b.echo(echo);
    }

    @Override
    public void prompt(String prompt) {
      b.prompt(prompt);
    }

    @Override
    public void splitRegex(String regex) {
      b.splitRegex(regex);
    }

    @Override
    public void splitRegexSynopsisLabel(String label) {
      b.splitRegexSynopsisLabel(label);
    }

    @Override
    public void defaultValue(String value) {
      b.defaultValue(value);
    }

    @Override
    public void showDefaultValue(Help.Visibility visibility) {
      b.showDefaultValue(visibility);
    }

    @Override
    public void scopeType(ScopeType scope) {
      b.scopeType(scope);
    }

    @Override
    public void mapFallbackValue(String value) {
      b.mapFallbackValue(value);
    }

    @Override
    public void withToString(String text) {
      b.withToString(text);
    }

    @Override
    public void bind(FieldBinding binding, Object initial) {
      b.getter(binding)
          .setter(binding)
          .scope(binding.scope())
          .userObject(binding.field())
          .initialValue(initial);
    }

    @Override
    public void bind(ValueBinding binding) {
      b.getter(binding).setter(binding).initialValue(binding.get());
    }
  }

  /** A positional parameter's builder. */
  record Positional(PositionalParamSpec.Builder b) implements ArgBuilder {
    @Override
    public OptionSpec.Builder option() {
      return null;
    }

    @Override
    public PositionalParamSpec.Builder positional() {
      return b;
    }

    @Override
    public ArgSpec build() {
      return b.build();
    }

    @Override
    public void type(Class<?> type) {
      b.type(type);
    }

    @Override
    public void auxiliaryTypes(Class<?>[] types) {
      b.auxiliaryTypes(types);
    }

    @Override
    public void arity(Range arity) {
      b.arity(arity);
    }

    @Override
    public void converters(ITypeConverter<?>[] converters) {
      b.converters(converters);
    }

    @Override
    public void description(String[] description) {
      b.description(description);
    }

    @Override
    public void descriptionKey(String key) {
      b.descriptionKey(key);
    }

    @Override
    public void paramLabel(String label) {
      b.paramLabel(label);
    }

    @Override
    public void hideParamSyntax(boolean hide) {
      b.hideParamSyntax(hide);
    }

    @Override
    public void hidden(boolean hidden) {
      b.hidden(hidden);
    }

    @Override
    public void completionCandidates(Iterable<String> candidates) {
      b.completionCandidates(candidates);
    }

    @Override
    public void required(boolean required) {
      b.required(required);
    }

    @Override
    public void interactive(boolean interactive) {
      b.interactive(interactive);
    }

    @Override
    public void echo(boolean echo) {
      b.echo(echo);
    }

    @Override
    public void prompt(String prompt) {
      b.prompt(prompt);
    }

    @Override
    public void splitRegex(String regex) {
      b.splitRegex(regex);
    }

    @Override
    public void splitRegexSynopsisLabel(String label) {
      b.splitRegexSynopsisLabel(label);
    }

    @Override
    public void defaultValue(String value) {
      b.defaultValue(value);
    }

    @Override
    public void showDefaultValue(Help.Visibility visibility) {
      b.showDefaultValue(visibility);
    }

    @Override
    public void scopeType(ScopeType scope) {
      b.scopeType(scope);
    }

    @Override
    public void mapFallbackValue(String value) {
      b.mapFallbackValue(value);
    }

    @Override
    public void withToString(String text) {
      b.withToString(text);
    }

    @Override
    public void bind(FieldBinding binding, Object initial) {
      b.getter(binding)
          .setter(binding)
          .scope(binding.scope())
          .userObject(binding.field())
          .initialValue(initial);
    }

    @Override
    public void bind(ValueBinding binding) {
      b.getter(binding).setter(binding).initialValue(binding.get());
    }
  }
}
