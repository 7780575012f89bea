package dev.edlinkidem.cli.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * Where the commands' picocli models come from. picocli reads a command's annotations at every
 * start, and reading them costs a cold {@code post} more than sending it does (the JDK makes a
 * proxy class for each annotation type); so the build writes the models it read from the
 * annotations to {@value #FILE} ({@link ModelFile}), and a run builds the same models from that
 * file with picocli's programmatic API. The annotations stay the source: a run without the file
 * (classes compiled without the build's {@code process-classes} step) reads them, and {@code
 * CommandModelTest} checks that both give the same models.
 */
public final class CommandModel {
  /** The file the build writes, as a class-path resource. */
  public static final String FILE = "dev/edlinkidem/cli/model/commands.json";

  private static final CommandModel ANNOTATIONS = new CommandModel(null);

  private static volatile CommandModel loaded;

  /** The models as JSON, by the command class's name; null to read the annotations. */
  private final String described;

  private CommandModel(String described) {
    this.described = described;
  }

  /** The models from the build's file when the class path has it, else from the annotations. */
  public static CommandModel load() {
    CommandModel model = loaded;
    if (model == null) {
      model = loaded = fromResource();
    }
    return model;
  }

  /** The models read from the annotations, as picocli reads them. */
  public static CommandModel annotations() {
    return ANNOTATIONS;
  }

  /** The models described by {@code json}, as {@link ModelFile} writes it. */
  public static CommandModel described(String json) {
    return new CommandModel(json);
  }

  /** Whether the models come from the build's file rather than from annotations. */
  public boolean isDescribed() {
    return described != null;
  }

  private static CommandModel fromResource() {
    URL url = CommandModel.class.getClassLoader().getResource(FILE);
    if (url == null || ("file".equals(url.getProtocol()) && olderThanAClass(url))) {
      return ANNOTATIONS;
    }
    try (InputStream in = url.openStream()) {
      return new CommandModel(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the command model " + FILE, e);
    }
  }

  /**
   * Whether a class in the directory the file is in was compiled after the file was written: by an
   * IDE, or by {@code mvn compile}, which stops before the build writes the file. Such a class may
   * declare what the file does not say, so the annotations are read then. A jar is built whole.
   */
  static boolean olderThanAClass(URL url) {
    try {
      Path file = Path.of(url.toURI());
      Path classes = file;
      for (int i = FILE.split("/").length; i > 0; i--) {
        classes = classes.getParent();
      }
      FileTime written = Files.getLastModifiedTime(file);
      try (Stream<Path> all = Files.walk(classes)) {
        return all.anyMatch(
            p -> p.toString().endsWith(".class") && modified(p).compareTo(written) > 0);
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      return true;
    }
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The model of the command {@code userObject}, with the subcommands it declares. */
  public CommandLine commandLine(Object userObject, IFactory factory) {
    if (described == null) {
      return new CommandLine(userObject, factory);
    }
    return build(userObject, entry(userObject.getClass()), factory);
  }

  /** Adds the command of class {@code type} to {@code parent} as picocli adds a declared one. */
  public void addSubcommand(CommandLine parent, Class<?> type, IFactory factory) {
    if (described == null) {
      parent.addSubcommand(new CommandLine(type, factory));
      return;
    }
    JsonObject entry = entry(type);
    addSubcommand(parent.getCommandSpec(), create(factory, type), entry, factory);
  }

  private JsonObject entry(Class<?> type) {
    try (JsonReader reader = new JsonReader(new StringReader(described))) {
      reader.beginObject();
      while (reader.hasNext()) {
        if (reader.nextName().equals(type.getName())) {
          return JsonParser.parseReader(reader).getAsJsonObject();
        }
        reader.skipValue();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException(
        "the command model has no " + type.getName() + ": the model file is out of date");
  }

  private static void addSubcommand(
      CommandSpec parent, Object userObject, JsonObject entry, IFactory factory) {
    CommandLine sub = build(userObject, entry, factory);
    parent.addSubcommand(string(entry, "name"), sub);
    String parentField = string(entry, "parentField");
    if (parentField != null) {
      FieldBinding.of(userObject, parentField, string(entry, "parentDeclaredIn"))
          .set(parent.userObject());
    }
  }

  /** Builds one command in the order picocli builds it from annotations. */
  private static CommandLine build(Object userObject, JsonObject entry, IFactory factory) {
    CommandSpec spec = CommandSpec.wrapWithoutInspection(userObject, factory);
    spec.name(string(entry, "name"));
    spec.aliases(strings(entry, "aliases"));
    String versionProvider = string(entry, "versionProvider");
    if (versionProvider != null) {
      spec.versionProvider((IVersionProvider) create(factory, type(versionProvider)));
    }
    usage(spec.usageMessage(), entry);
    for (JsonElement sub : array(entry, "subcommands")) {
      JsonObject subEntry = sub.getAsJsonObject();
      addSubcommand(spec, create(factory, type(string(subEntry, "class"))), subEntry, factory);
    }
    addMembers(spec, userObject, array(entry, "members"), factory);
    return new CommandLine(spec, factory);
  }

  private static void usage(UsageMessageSpec usage, JsonObject entry) {
    JsonObject u = entry.getAsJsonObject("usage");
    if (u == null) {
      return;
    }
    if (u.has("description")) {
      usage.description(strings(u, "description"));
    }
    if (u.has("footerHeading")) {
      usage.footerHeading(string(u, "footerHeading"));
    }
    if (u.has("footer")) {
      usage.footer(strings(u, "footer"));
    }
    if (u.has("exitCodeListHeading")) {
      usage.exitCodeListHeading(string(u, "exitCodeListHeading"));
    }
    if (u.has("exitCodeList")) {
      Map<String, String> codes = new LinkedHashMap<>();
      for (JsonElement pair : u.getAsJsonArray("exitCodeList")) {
        codes.put(
            pair.getAsJsonArray().get(0).getAsString(), pair.getAsJsonArray().get(1).getAsString());
      }
      usage.exitCodeList(codes);
    }
  }

  /** Adds options, positional parameters, groups and mixins to {@code spec}, in their order. */
  private static void addMembers(
      CommandSpec spec, Object owner, JsonArray members, IFactory factory) {
    for (JsonElement element : members) {
      JsonObject member = element.getAsJsonObject();
      switch (string(member, "kind")) {
        case "mixin" -> {
          String field = string(member, "field");
          Object mixin = null;
          if (field != null) {
            FieldBinding binding = FieldBinding.of(owner, field, string(member, "declaredIn"));
            mixin = binding.get();
            if (mixin == null) {
              mixin = create(factory, binding.field().getType());
              binding.set(mixin);
            }
          }
          CommandSpec mixinSpec = CommandSpec.wrapWithoutInspection(mixin, factory);
          addMembers(mixinSpec, mixin, array(member, "members"), factory);
          spec.addMixin(string(member, "name"), mixinSpec);
        }
        case "group" -> spec.addArgGroup(group(owner, member, factory));
        default -> spec.add(arg(owner, member, factory));
      }
    }
  }

  /**
   * A group whose options are bound to the instance its field holds. picocli would put a new
   * instance in the field when an option of the group is given; the commands only read the values,
   * so the one instance, which {@link ModelFile} checks is there, does the same.
   */
  private static ArgGroupSpec group(Object owner, JsonObject group, IFactory factory) {
    Object instance =
        FieldBinding.of(owner, string(group, "field"), string(group, "declaredIn")).get();
    ArgGroupSpec.Builder builder =
        ArgGroupSpec.builder()
            .exclusive(bool(group, "exclusive"))
            .multiplicity(string(group, "multiplicity"))
            .validate(bool(group, "validate"))
            .order(group.get("order").getAsInt())
            .heading(string(group, "heading"))
            .headingKey(string(group, "headingKey"));
    for (JsonElement arg : array(group, "members")) {
      JsonObject member = arg.getAsJsonObject();
      if ("group".equals(string(member, "kind"))) {
        builder.addSubgroup(group(instance, member, factory));
      } else {
        builder.addArg(arg(instance, member, factory));
      }
    }
    return builder.build();
  }

  private static ArgSpec arg(Object owner, JsonObject a, IFactory factory) {
    ArgBuilder builder =
        "option".equals(string(a, "kind"))
            ? ArgBuilder.forOption(strings(a, "names"))
            : ArgBuilder.forPositional();
    String field = string(a, "field");
    if (field != null) {
      FieldBinding binding = FieldBinding.of(owner, field, string(a, "declaredIn"));
      JsonElement initial = a.get("initial");
      builder.bind(
          binding,
          initial == null ? binding.get() : InitialValue.read(binding.field().getType(), initial));
    } else if (a.has("initialValue")) {
      builder.bind(new ValueBinding(a.get("initialValue").getAsBoolean()));
    }
    for (ArgAttribute attribute : ArgAttribute.values()) {
      JsonElement value = a.get(attribute.key());
      if (value != null) {
        attribute.apply(builder, value, factory);
      }
    }
    return builder.build();
  }

  static Class<?> type(String name) {
    return switch (name) {
      case "boolean" -> boolean.class;
      case "int" -> int.class;
      case "long" -> long.class;
      case "double" -> double.class;
      case "float" -> float.class;
      case "short" -> short.class;
      case "byte" -> byte.class;
      case "char" -> char.class;
      default -> {
        try {
          yield Class.forName(name, false, CommandModel.class.getClassLoader());
        } catch (ClassNotFoundException e) {
          throw new IllegalStateException(
              "the command model names a class " + name + " that does not exist", e);
        }
      }
    };
  }

  static Object create(IFactory factory, Class<?> type) {
    try {
      return factory.create(type);
    } catch (Exception e) {
      throw new CommandLine.InitializationException("Could not create " + type.getName(), e);
    }
  }

  private static String string(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }

  private static boolean bool(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e != null && e.getAsBoolean();
  }

  private static JsonArray array(JsonObject o, String key) {
    JsonArray a = o.getAsJsonArray(key);
    return a == null ? new JsonArray() : a;
  }

  private static String[] strings(JsonObject o, String key) {
    return ArgAttribute.strings(array(o, key));
  }
}
