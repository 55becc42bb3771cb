package tdmr.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tdmr help [COMMAND]}: the usage of tdmr, or of one command, as {@code --help} shows it. */
@Command(
    name = "help",
    helpCommand = true,
    header = "Show the usage of tdmr or of one command (the same as 'tdmr COMMAND --help').",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:the usage was printed", "2:no such command"},
    footerHeading = "%nExamples:%n",
    footer = {
      "  tdmr help              the commands and where to start",
      "  tdmr help plan         plan's options, exit statuses and examples"
    })
final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {
  @Parameters(paramLabel = "COMMAND", arity = "0..1", description = "The command to show the usage of.")
  String command;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  private CommandLine self;
  private CommandLine.Help.ColorScheme colours;
  private PrintWriter out;

  @Override
  public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme, PrintWriter out, PrintWriter err) {
    this.self = helpCommandLine;
    this.colours = colorScheme;
    this.out = out;
  }

  @Override
  public void run() {
    CommandLine root = self.getParent();
    if (command == null) {
      root.usage(out, colours);
      return;
    }
    CommandLine sub = root.getSubcommands().get(command);
    if (sub == null) {
      throw new CommandLine.ParameterException(self,
          "unknown command '%s' (commands: %s)".formatted(command, String.join(", ", root.getSubcommands().keySet())));
    }
    sub.usage(out, colours);
  }
}
