package tdmr.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tdmr.boot.KernelParameters;
import tdmr.boot.MemmapEdit;
import tdmr.boot.MemoryWhatIf;
import tdmr.check.ModuleValidator;
import tdmr.check.OsCoverageCheck;
import tdmr.check.TdmrInfoCodec;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputBytes;
import tdmr.parse.InputException;
import tdmr.parse.LayoutJson;
import tdmr.parse.MapReader;
import tdmr.parse.ShellWord;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/** {@code tdmr check}: would the TDX module accept this layout, and does it give the OS all its memory? */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    header = "Check a TDMR layout against the TDX module's TDH.SYS.CONFIG rules and the OS's needs.",
    description = {
      "Reads LAYOUT (a layout JSON file, 'tdmr plan --json' output, or a TDMR_INFO binary of 512-byte "
          + "entries; '-' for standard input) and the memory map given by --map.",
      "Module verdict: the error TDH.SYS.CONFIG would return, with its 64-bit status code, found by "
          + "applying the module's checks in the module's order (--all lists every violation).",
      "OS verdict: every byte of TDX memory is usable TDMR memory or PAMT, every PAMT is TDX memory, "
          + "and with --holes memlist every usable TDMR byte is TDX memory.",
      HostRunner.HELP
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:both verdicts hold",
      "1:the module would reject the layout, or the OS check fails",
      "2:bad input or usage",
      "70:internal error"
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tdmr plan dmesg.txt --solver cpsat --json > plan.json",
      "  tdmr check plan.json --map dmesg.txt",
      "  tdmr check tdmr_info.bin --map dmesg.txt --all     every violation",
      "  tdmr check layout.json --map map.json --holes cmr --json",
      "  tdmr check a.json b.json --map a.txt --map b.txt   each against its own map"
    })
final class CheckCommand implements Callable<Integer> {
  @ParentCommand TdmrCommand tdmr;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "LAYOUT", arity = "1..*",
      description = "Layout JSON, plan --json or fix --json output, or TDMR_INFO binary (files, directories of them);"
          + " '-' reads standard input.")
  List<Path> layoutArguments;

  @Mixin ColorOption color;

  @Option(names = "--map", paramLabel = "INPUT",
      description = "Memory map: kernel log, /proc/iomem or JSON map; '-' reads standard input. Once for every"
          + " LAYOUT, or once per LAYOUT (paired in order). Without it, the map a plan/fix --json document"
          + " names in its \"source\" (when that is a file here, or the bundled example).")
  List<Path> mapArguments = new ArrayList<>();

  @Option(names = "--solver", paramLabel = "NAME", completionCandidates = SolverNames.Results.class, description = "Which result of a plan --json document to check (default: the first with TDMRs).")
  String solver;

  @Mixin LimitOptions limitOptions;

  @Mixin PolicyOptions.Holes holes;

  @Mixin PolicyOptions.Coverage coverage;

  @Option(names = "--all", description = "List every module violation, not only the one the module would return.")
  boolean all;

  @Option(names = "--json", description = "Print the verdicts as JSON.")
  boolean json;

  @Mixin WhatIfOptions whatIf;

  @Mixin JobsOption jobs;

  /** A layout as read, with the {@code memmap=} parameters its document assumes ({@code tdmr fix --json} lists them). */
  private record LayoutFile(Layout layout, List<String> memmap, Optional<String> mapSource) {}

  @Override
  public Integer call() throws Exception {
    limitOptions.limits();
    if (!mapArguments.isEmpty() && mapArguments.size() != 1 && (mapArguments.size() != layoutArguments.size() || HostInputs.many(List.of(layoutArguments.get(0)))
        || layoutArguments.stream().anyMatch(java.nio.file.Files::isDirectory))) {
      throw new OptionValueException("--map is given once (every LAYOUT is checked against it) or once per LAYOUT file"
          + " (paired in order); got %d --map for %d LAYOUT".formatted(mapArguments.size(), layoutArguments.size()));
    }
    if (layoutArguments.stream().anyMatch(InputSource::isStdin) && mapArguments.stream().anyMatch(InputSource::isStdin)) {
      throw new InputException("<stdin>", 0, "LAYOUT and --map cannot both read standard input");
    }
    if (mapArguments.stream().filter(InputSource::isStdin).count() > 1) {
      throw new OptionValueException("'-' (standard input) can be given only once");
    }
    return new HostRunner(spec, tdmr, json, jobs.count()).run(layoutArguments, HostRunner.STDIN, this::check);
  }

  /**
   * The map a layout is checked against: the one --map, the one given in the same position, or
   * (no --map) the one the layout's document names; null for the last.
   */
  private Path mapFor(Host host) {
    if (mapArguments.isEmpty()) {
      return null;
    }
    if (mapArguments.size() == 1) {
      return mapArguments.get(0);
    }
    for (int i = 0; i < layoutArguments.size(); i++) {
      if (layoutArguments.get(i).toString().equals(host.name())) {
        return mapArguments.get(i);
      }
    }
    throw new IllegalStateException("no --map for " + host.name());
  }

  /** Both verdicts on one layout. */
  private HostResult check(Host host) throws Exception {
    TdxLimits limits = limitOptions.limits();
    InputSource layoutInput = host.source();
    LayoutFile file = readLayout(layoutInput);
    Path mapArgument = mapFor(host);
    boolean fromDocument = mapArgument == null;
    if (fromDocument) {
      mapArgument = documentMap(layoutInput.name(), file);
    }
    MemoryMap read = mapArgument.toString().equals(BundledExample.NAME) && !Files.exists(mapArgument)
        ? BundledExample.map()
        : tdmr.input(mapArgument).readMap();
    MemoryMap map = withDocumentMemmap(whatIf.apply(read), layoutInput.name(), file.memmap());

    Layout layout = file.layout();
    CheckReport report = new CheckReport(layoutInput.name(), map, layout, limits, holes.value(), coverage.value(),
        new ModuleValidator(map.cmrs(), limits).allViolations(layout),
        new OsCoverageCheck(map, holes.value()).check(layout));
    PrintWriter out = host.out();
    if (json) {
      host.document(report.tree(all));
    } else {
      if (fromDocument) {
        out.println("No --map: checking against %s, the memory map the document names.".formatted(mapArgument));
      }
      out.print(verdictsColoured(Prose.fold(report.text(all)), color.terminal()));
      if (!report.holds() && !InputSource.isStdin(mapArgument)) {
        out.println();
        // Both commands answer the question this check asked: the same limits, policy and what-if options.
        String question = questionWords();
        out.println("Next: build a layout that passes both checks, and check it:");
        String mapWord = ShellWord.of(mapArgument.toString());
        out.println("  tdmr plan %s%s --solver cpsat --json > plan.json".formatted(mapWord, question));
        out.println("  tdmr check plan.json --map %s%s".formatted(mapWord, question));
      }
    }
    out.flush();
    return report.summary();
  }

  /** The limit, policy and what-if options given with other than their defaults, as typed (" --max-rsvd 5"). */
  private String questionWords() {
    StringBuilder words = new StringBuilder(limitOptions.asArguments());
    if (holes.value() != Policy.DEFAULT.holes()) {
      words.append(" --holes ").append(holes.value().text());
    }
    if (coverage.value() != Policy.DEFAULT.coverage()) {
      words.append(" --coverage ").append(coverage.value().text());
    }
    return words.append(whatIf.asArguments()).toString();
  }

  /**
   * The map named by the layout's document when no --map is given: its {@code "source"}, which must
   * be a file here or the bundled example; anything else is bad input that says what to type.
   */
  private static Path documentMap(String layoutName, LayoutFile file) throws InputException {
    if (file.mapSource().isEmpty()) {
      throw new InputException(layoutName, 0,
          "no --map given, and this layout does not name its memory map (only plan/fix --json documents do);"
              + " give it: tdmr check %s --map INPUT".formatted(layoutName));
    }
    String source = file.mapSource().get();
    if (source.equals(BundledExample.NAME) || Files.isRegularFile(Path.of(source))) {
      return Path.of(source);
    }
    throw new InputException(layoutName, 0,
        "no --map given, and the memory map this document names (\"source\": \"%s\") is not a file here;"
            .formatted(source) + " give it: tdmr check %s --map INPUT".formatted(layoutName));
  }

  /**
   * JSON when the input starts with '{' (after a UTF-8 byte order mark and white space), otherwise
   * TDMR_INFO binary. A TDMR_INFO entry always holds NUL bytes (addresses stay below 2^52, so the
   * top byte of every field is 0), so input without any is text that is not a JSON layout; reading
   * it as 512-byte entries would report nonsense or, at a multiple of 512 bytes, check garbage.
   */
  private LayoutFile readLayout(InputSource input) throws InputException {
    byte[] bytes = input.bytes(CheckCommand::layoutSizeLimit);
    int k = firstNonSpace(bytes);
    if (k < bytes.length && bytes[k] == '{') {
      String text = MapReader.text(input.name(), bytes);
      return new LayoutFile(LayoutJson.read(input.name(), text, Optional.ofNullable(solver)),
          LayoutJson.bootParameters(input.name(), text), LayoutJson.mapSource(input.name(), text));
    }
    if (bytes.length == 0) {
      // Not "a TDMR_INFO binary of 0 bytes": nothing says it was meant to be one.
      throw new InputException(input.name(), 0, "empty input: no layout (expected a JSON layout {\"tdmrs\": [...]},"
          + " plan --json output or a TDMR_INFO binary)");
    }
    if (!containsNul(bytes)) {
      throw new InputException(
          input.name(),
          0,
          "not a layout: expected a JSON layout {\"tdmrs\": [...]}, plan --json output or a TDMR_INFO binary (512-byte entries)");
    }
    if (solver != null) {
      throw new InputException(input.name(), 0, "--solver %s needs a plan --json document; this is a TDMR_INFO binary".formatted(solver));
    }
    return new LayoutFile(TdmrInfoCodec.decode(bytes, input.name()), List.of(), Optional.empty());
  }

  /**
   * A JSON layout may take any input's size; anything else is a TDMR_INFO binary (or no layout),
   * which holds at most {@link LayoutJson#MAX_TDMRS} entries: a larger file is refused unread.
   * {@code start} is the input's first bytes; all blanks there leave the question open.
   */
  private static InputBytes.Limit layoutSizeLimit(byte[] start) {
    int k = firstNonSpace(start);
    return k == start.length || start[k] == '{' ? InputBytes.ANY_INPUT : TdmrInfoCodec.MAX_SIZE;
  }

  /** The index of the first byte after a UTF-8 byte order mark and white space. */
  private static int firstNonSpace(byte[] bytes) {
    int k = startsWithUtf8Bom(bytes) ? 3 : 0;
    while (k < bytes.length && Character.isWhitespace(bytes[k])) {
      k++;
    }
    return k;
  }

  /**
   * The map as the layout's kernel sees it: a layout {@code tdmr fix} proposes is built on the map
   * with its {@code memmap=} parameters, so they are replayed first.
   */
  private static MemoryMap withDocumentMemmap(MemoryMap map, String layoutName, List<String> parameters)
      throws InputException {
    if (parameters.isEmpty()) {
      return map;
    }
    List<MemmapEdit> edits = new ArrayList<>();
    try {
      for (String p : parameters) {
        edits.addAll(KernelParameters.ofCommandLine(p));
      }
      return MemoryWhatIf.apply(map, edits, "the layout document's memmap");
    } catch (IllegalArgumentException e) {
      throw new InputException(layoutName, 0, "\"memmap\": " + e.getMessage());
    }
  }

  private static boolean startsWithUtf8Bom(byte[] bytes) {
    return bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF;
  }

  private static boolean containsNul(byte[] bytes) {
    for (byte b : bytes) {
      if (b == 0) {
        return true;
      }
    }
    return false;
  }

  /** The verdict words ({@code : OK}, {@code : FAIL} at a line's end) in colour on a terminal. */
  private static String verdictsColoured(String text, Terminal terminal) {
    if (!terminal.colour()) {
      return text;
    }
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      if (line.endsWith(": OK")) {
        line = line.substring(0, line.length() - 2) + terminal.good("OK");
      } else if (line.endsWith(": FAIL")) {
        line = line.substring(0, line.length() - 4) + terminal.bad("FAIL");
      }
      out.append(line).append('\n');
    }
    return out.substring(0, out.length() - 1);
  }
}
