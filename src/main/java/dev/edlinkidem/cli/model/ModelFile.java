package dev.edlinkidem.cli.model;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.edlinkidem.cli.Main;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IAnnotatedElement;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * Writes {@link CommandModel#FILE} from the models picocli reads from the commands' annotations:
 * run by the build after compiling ({@code process-classes}), never at run time.
 *
 * <pre>
 * java -cp CLASSPATH dev.edlinkidem.cli.model.ModelFile target/classes
 * </pre>
 *
 * <p>It writes what {@link CommandModel} can build again and refuses, with the command's name, what
 * it cannot: a group whose field holds no instance, an argument bound to a method.
 */
public final class ModelFile {
  /** The name picocli gives the mixin of {@code mixinStandardHelpOptions}. */
  static final String STANDARD_HELP = "mixinStandardHelpOptions";

  private static final OptionSpec BARE_OPTION = OptionSpec.builder("-x").build();
  private static final PositionalParamSpec BARE_POSITIONAL = PositionalParamSpec.builder().build();

  private ModelFile() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: ModelFile CLASSES_DIR");
    }
    Path file = Path.of(args[0]).resolve(CommandModel.FILE);
    Files.createDirectories(file.getParent());
    Files.writeString(file, json(), StandardCharsets.UTF_8);
  }

  /** The file's text: the root and each of its commands, by class name. */
  public static String json() {
    return json(Main.commandLine(null, CommandModel.annotations()));
  }

  /**
   * The file's text for {@code root}, read from annotations: the root without its subcommands
   * (which {@code Main} adds), then each subcommand with its own. Texts are written as declared,
   * variables and format specifiers unexpanded: a run expands them in its own environment, as
   * picocli does.
   */
  static String json(CommandLine root) {
    asDeclared(root.getCommandSpec());
    JsonObject models = new JsonObject();
    models.add(root.getCommand().getClass().getName(), command(root.getCommandSpec(), false));
    for (CommandLine sub : new LinkedHashSet<>(root.getSubcommands().values())) {
      models.add(sub.getCommand().getClass().getName(), command(sub.getCommandSpec(), true));
    }
    return new GsonBuilder().serializeNulls().disableHtmlEscaping().create().toJson(models) + "\n";
  }

  /** Turns off picocli's expansion of variables in {@code spec}, its mixins and subcommands. */
  private static void asDeclared(CommandSpec spec) {
    spec.interpolateVariables(false);
    spec.mixins().values().forEach(ModelFile::asDeclared);
    spec.subcommands().values().forEach(sub -> asDeclared(sub.getCommandSpec()));
  }

  private static JsonObject command(CommandSpec spec, boolean withSubcommands) {
    JsonObject o = new JsonObject();
    o.addProperty("class", spec.userObject().getClass().getName());
    o.addProperty("name", spec.name());
    o.add("aliases", strings(spec.aliases()));
    List<IAnnotatedElement> parents = spec.parentCommandElements();
    if (parents.size() > 1) {
      throw new IllegalStateException(spec.qualifiedName() + ": more than one @ParentCommand");
    }
    if (!parents.isEmpty()) {
      Field field = field(spec, parents.get(0).userObject());
      o.addProperty("parentField", field.getName());
      if (field.getDeclaringClass() != spec.userObject().getClass()) {
        o.addProperty("parentDeclaredIn", field.getDeclaringClass().getName());
      }
    }
    refuseWhatTheFileCannotHold(spec);
    if (spec.versionProvider() != null) {
      o.addProperty("versionProvider", spec.versionProvider().getClass().getName());
    }
    o.add("usage", usage(spec.usageMessage()));
    if (withSubcommands) {
      JsonArray subs = new JsonArray();
      for (CommandLine sub : new LinkedHashSet<>(spec.subcommands().values())) {
        subs.add(command(sub.getCommandSpec(), true));
      }
      o.add("subcommands", subs);
    }
    o.add("members", members(spec, spec.args(), spec.mixins()));
    return o;
  }

  /**
   * What {@link CommandModel} does not build again: an error here, at build time, rather than a
   * model that differs from the annotations' in a way no test of today's commands would show.
   */
  private static void refuseWhatTheFileCannotHold(CommandSpec spec) {
    List<String> unheld = new ArrayList<>();
    if (!spec.specElements().isEmpty() || !spec.unmatchedArgsBindings().isEmpty()) {
      unheld.add("@Spec or @Unmatched");
    }
    if (spec.defaultValueProvider() != null
        || spec.modelTransformer() != null
        || !isNoOp(spec.preprocessor())) {
      unheld.add("a default value provider, model transformer or preprocessor");
    }
    for (Map.Entry<String, CommandSpec> mixin : spec.mixins().entrySet()) {
      if (!mixin.getValue().specElements().isEmpty() || !mixin.getValue().subcommands().isEmpty()) {
        unheld.add("@Spec or subcommands in the mixin " + mixin.getKey());
      }
    }
    for (ArgGroupSpec group : spec.argGroups()) {
      if (!group.specElements().isEmpty()) {
        unheld.add("@Spec in the group " + group.synopsis());
      }
    }
    for (ArgSpec arg : spec.args()) {
      if (arg.parameterConsumer() != null || !isNoOp(arg.preprocessor())) {
        unheld.add("a parameter consumer or preprocessor on " + arg);
      }
    }
    if (!unheld.isEmpty()) {
      throw new IllegalStateException(
          spec.qualifiedName() + ": the command model file does not hold " + unheld);
    }
  }

  private static boolean isNoOp(Object preprocessor) {
    return preprocessor
        .getClass()
        .getName()
        .equals("picocli.CommandLine$NoOpParameterPreprocessor");
  }

  private static JsonObject usage(UsageMessageSpec usage) {
    UsageMessageSpec bare = CommandSpec.create().usageMessage();
    JsonObject o = new JsonObject();
    if (usage.description().length > 0) {
      o.add("description", strings(usage.description()));
    }
    if (!usage.footerHeading().equals(bare.footerHeading())) {
      o.addProperty("footerHeading", usage.footerHeading());
    }
    if (usage.footer().length > 0) {
      o.add("footer", strings(usage.footer()));
    }
    if (!usage.exitCodeListHeading().equals(bare.exitCodeListHeading())) {
      o.addProperty("exitCodeListHeading", usage.exitCodeListHeading());
    }
    if (!usage.exitCodeList().isEmpty()) {
      JsonArray codes = new JsonArray();
      for (Map.Entry<String, String> code : usage.exitCodeList().entrySet()) {
        JsonArray pair = new JsonArray();
        pair.add(code.getKey());
        pair.add(code.getValue());
        codes.add(pair);
      }
      o.add("exitCodeList", codes);
    }
    return o;
  }

  /**
   * The arguments of {@code args}, in their order, as the calls that add them: a mixin or a group
   * where its first argument is, an option or positional parameter where it is. Arguments a command
   * inherits are left out: picocli adds them when the command is added to its parent.
   */
  private static JsonArray members(
      CommandSpec owner, List<ArgSpec> args, Map<String, CommandSpec> mixins) {
    Map<ArgSpec, String> mixinOf = new IdentityHashMap<>();
    mixins.forEach((name, mixin) -> mixin.args().forEach(arg -> mixinOf.put(arg, name)));
    List<Object> added = new ArrayList<>();
    JsonArray members = new JsonArray();
    for (ArgSpec arg : args) {
      if (arg.inherited()) {
        continue;
      }
      String mixin = mixinOf.get(arg);
      ArgGroupSpec group = arg.group();
      while (group != null && group.parentGroup() != null) {
        group = group.parentGroup();
      }
      if (mixin != null) {
        if (!added.contains(mixin)) {
          added.add(mixin);
          members.add(mixin(owner, mixin, mixins.get(mixin)));
        }
      } else if (group != null) {
        if (!added.contains(group)) {
          added.add(group);
          members.add(group(owner, owner.userObject(), group));
        }
      } else {
        members.add(arg(owner, arg, true));
      }
    }
    return members;
  }

  private static JsonObject mixin(CommandSpec owner, String name, CommandSpec mixin) {
    JsonObject o = new JsonObject();
    o.addProperty("kind", "mixin");
    o.addProperty("name", name);
    boolean standardHelp = name.equals(STANDARD_HELP);
    if (!standardHelp) {
      IAnnotatedElement element = owner.mixinAnnotatedElements().get(name);
      Field field = field(owner, element.userObject());
      o.addProperty("field", field.getName());
      declaredIn(o, field, owner.userObject());
    }
    JsonArray members = members(mixin, mixin.args(), mixin.mixins());
    if (standardHelp) {
      // picocli's own mixin: its options are bound to nothing here, which is all they need.
      members = new JsonArray();
      for (ArgSpec arg : mixin.args()) {
        members.add(arg(owner, arg, false));
      }
    }
    o.add("members", members);
    return o;
  }

  private static JsonObject group(CommandSpec owner, Object container, ArgGroupSpec group) {
    Object instance = groupInstance(group);
    if (instance == null) {
      throw new IllegalStateException(
          owner.qualifiedName()
              + ": the field of the group "
              + group.synopsis()
              + " must hold an instance before parsing (the command model binds to it)");
    }
    JsonObject o = new JsonObject();
    o.addProperty("kind", "group");
    Field field = fieldHolding(container, instance);
    o.addProperty("field", field.getName());
    declaredIn(o, field, container);
    o.addProperty("exclusive", group.exclusive());
    o.addProperty("multiplicity", group.multiplicity().toString());
    o.addProperty("validate", group.validate());
    o.addProperty("order", group.order());
    o.addProperty("heading", group.heading());
    o.addProperty("headingKey", group.headingKey());
    JsonArray members = new JsonArray();
    for (ArgSpec arg : group.args()) {
      members.add(arg(owner, arg, true));
    }
    for (ArgGroupSpec sub : group.subgroups()) {
      members.add(group(owner, instance, sub));
    }
    o.add("members", members);
    return o;
  }

  private static JsonObject arg(CommandSpec owner, ArgSpec arg, boolean bound) {
    JsonObject o = new JsonObject();
    o.addProperty("kind", arg.isOption() ? "option" : "positional");
    if (arg.isOption()) {
      o.add("names", strings(((OptionSpec) arg).names()));
    }
    if (bound) {
      Field field = field(owner, arg.userObject());
      if (Modifier.isFinal(field.getModifiers())) {
        throw new IllegalStateException(
            owner.qualifiedName() + ": " + field + " is final: parsing could not set it");
      }
      o.addProperty("field", field.getName());
      declaredIn(o, field, instanceOf(arg));
      JsonElement initial = InitialValue.written(arg.initialValue(), field.getType());
      if (initial != null) {
        o.add("initial", initial);
      }
    } else if (arg.initialValue() instanceof Boolean initial) {
      o.addProperty("initialValue", initial);
    }
    ArgSpec bare = arg.isOption() ? BARE_OPTION : BARE_POSITIONAL;
    for (ArgAttribute attribute : ArgAttribute.values()) {
      JsonElement value = attribute.written(arg, bare);
      if (value != null) {
        o.add(attribute.key(), value);
      }
    }
    return o;
  }

  private static Field field(CommandSpec owner, Object member) {
    if (member instanceof Field field) {
      return field;
    }
    throw new IllegalStateException(
        owner.qualifiedName() + ": " + member + " is not a field (the command model binds fields)");
  }

  private static Object groupInstance(ArgGroupSpec group) {
    try {
      return group.getter() == null ? null : group.getter().get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the group " + group.synopsis(), e);
    }
  }

  /** The object an argument of the annotations' model is bound to. */
  private static Object instanceOf(ArgSpec arg) {
    try {
      return arg.scope().get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the scope of " + arg, e);
    }
  }

  /**
   * Names the class that declares {@code field} when it is not {@code instance}'s own: a run looks
   * for the field in that class then, not in the first class up from the instance's that has one of
   * that name.
   */
  private static void declaredIn(JsonObject o, Field field, Object instance) {
    if (instance == null) {
      throw new IllegalStateException(field + " is bound to no object");
    }
    if (field.getDeclaringClass() != instance.getClass()) {
      o.addProperty("declaredIn", field.getDeclaringClass().getName());
    }
  }

  /** The field of {@code container} that holds {@code value}: picocli does not say which it is. */
  private static Field fieldHolding(Object container, Object value) {
    for (Class<?> c = container.getClass(); c != null; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        field.setAccessible(true);
        try {
          if (field.get(container) == value) {
            return field;
          }
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    throw new IllegalStateException("no field of " + container.getClass() + " holds " + value);
  }

  private static JsonArray strings(String[] values) {
    JsonArray array = new JsonArray();
    for (String value : values) {
      array.add(value);
    }
    return array;
  }
}
