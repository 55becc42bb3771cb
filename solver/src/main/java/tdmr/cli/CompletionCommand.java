package tdmr.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tdmr completion}: prints a bash completion script generated from the command line itself. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    header = "Print a bash (and zsh) completion script for tdmr.",
    description =
        "Prints a completion script for every tdmr subcommand and option. It is generated from the"
            + " command line itself, so it always matches this version of tdmr.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:the script was printed", "2:usage"},
    footerHeading = "%nExamples:%n",
    footer = {
      "  Complete in this shell only:",
      "    source <(tdmr completion)",
      "  Complete in every new bash:",
      "    tdmr completion > ~/.local/share/bash-completion/completions/tdmr",
      "  zsh (after 'autoload -U +X bashcompinit && bashcompinit'):",
      "    source <(tdmr completion)"
    })
final class CompletionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    out.print(AutoComplete.bash("tdmr", spec.root().commandLine()));
    out.flush();
    return 0;
  }
}
