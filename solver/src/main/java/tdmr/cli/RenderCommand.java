package tdmr.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tdmr.mem.Count;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;
import tdmr.render.GreedyAsBuilt;
import tdmr.render.HtmlReport;
import tdmr.render.LabelledLayout;
import tdmr.render.LayoutPicture;
import tdmr.solver.Engine;
import tdmr.solver.EngineResult;
import tdmr.solver.SolveOptions;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/** {@code tdmr render}: draws a memory map and the layouts of the chosen engines as SVG or HTML. */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    header = "Draw a memory map and its layouts (greedy, optimum) as an SVG picture or an HTML page.",
    description = {
      "Reads INPUT (dmesg text, /proc/iomem or a JSON map; '-' for standard input; without INPUT the"
          + " bundled example of canonical/tdx#135), runs the chosen engines and draws the map and every"
          + " layout one above the other on one address axis: memory blocks coloured by NUMA node, holes,"
          + " CMRs, TDMRs with their boundaries in hex, reserved areas and PAMTs. Where an engine fails"
          + " (the kernel's greedy running out of reserved areas) the failing TDMR is outlined in red with"
          + " the kernel's message, and a zoomed strip under it shows every reserved area it asked for,"
          + " numbered in the kernel's order.",
      "Long runs of plain memory are shortened at break marks (//), address space with neither memory"
          + " nor a TDMR is drawn as a narrow gap, and the picture says how much; tiny ranges are widened"
          + " so a 4 KiB block stays visible next to a 1 TiB node.",
      "-o decides the format: FILE.svg is a picture; FILE.html is one self-contained page (no external"
          + " files) with the picture, details on hover and on keyboard focus (Tab), a legend and a table"
          + " per layout."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:the picture was written, whatever the engines answered (the picture and the line printed say it)",
      "2:bad input or usage (nothing written)",
      "70:internal error"
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tdmr render -o layout.html                      (the bundled example)",
      "  tdmr render dmesg.txt --solver all -o layout.html",
      "  tdmr render dmesg.txt --solver greedy,cpsat --holes cmr -o layout.svg",
      "  sudo cat /proc/iomem | tdmr render - -o iomem.svg"
    })
final class RenderCommand implements Callable<Integer> {
  @ParentCommand TdmrCommand tdmr;

  @Spec CommandSpec spec;

  @Mixin MapInput input;

  // FILE, not FILE.svg|FILE.html: the usage line broke that label at its dot on an 80-column terminal.
  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE",
      description = "Where to write the picture, FILE.svg or FILE.html: the extension picks SVG or HTML.")
  Path output;

  @Mixin EngineOptions engines;

  @Mixin WhatIfOptions whatIf;

  @Override
  public Integer call() throws Exception {
    boolean html = isHtml(output);
    // The command's deadline starts first: loading the solvers' native libraries counts too.
    SolveOptions options = engines.solveOptions();
    List<Engine> chosen = engines.engines();
    TdxLimits limits = engines.limits();
    Policy policy = engines.policy();
    MemoryMap map = whatIf.apply(input.read(tdmr));
    limits = LimitOptions.usefulFor(limits, map, spec.commandLine().getErr(), "tdmr render");

    List<EngineResult> results = new ArrayList<>();
    PrintWriter err = spec.commandLine().getErr();
    for (int i = 0; i < chosen.size(); i++) {
      Engine engine = chosen.get(i);
      try (Progress p = Progress.start(err, "tdmr render: " + engine.name() + " solving", Terminal.stderrIsTerminal())) {
        // --time-limit bounds the whole command: each engine may take an equal share of what is left.
        results.add(engine.solve(map, limits, policy, options.withDeadline(options.deadline().share(chosen.size() - i))));
      }
    }
    List<LabelledLayout> rows = GreedyAsBuilt.rows(results);
    LayoutPicture picture = new LayoutPicture(map, rows, limits);
    String text = html ? new HtmlReport(picture).html() : picture.svg();
    try {
      AtomicFile.write(output, text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new InputException(output.toString(), 0,
          "cannot write the picture: %s; nothing written".formatted(AtomicFile.reason(e)));
    }

    PrintWriter out = spec.commandLine().getOut();
    out.println("Wrote %s (%s, %s): %s".formatted(output, html ? "HTML" : "SVG", Count.of(rows.size(), "layout row"),
        summary(results)));
    out.println(html ? "Open it in a browser, e.g. xdg-open " + output : "Open it in a browser or an image viewer.");
    out.flush();
    // The picture is the answer: a failing kernel is something it shows, not a failure to draw.
    return 0;
  }

  private boolean isHtml(Path file) {
    String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".html") || name.endsWith(".htm")) {
      return true;
    }
    if (name.endsWith(".svg")) {
      return false;
    }
    throw new CommandLine.ParameterException(spec.commandLine(),
        "-o must name a .svg or .html file, got '" + file + "'");
  }

  private static String summary(List<EngineResult> results) {
    List<String> parts = new ArrayList<>();
    for (EngineResult r : results) {
      parts.add(r.solver() + " " + r.status().name().toLowerCase(Locale.ROOT));
    }
    return String.join(", ", parts);
  }
}
