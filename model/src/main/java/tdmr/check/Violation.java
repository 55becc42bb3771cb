package tdmr.check;

/**
 * One broken rule, reported the way the TDX module reports it.
 *
 * @param error the module's error
 * @param code the 64-bit status with detail bytes, as TDH.SYS.CONFIG would return it in RAX
 * @param rule the rule that fails (docs/tdx-module-rules.md)
 * @param tdmrIndex the TDMR the module was checking when it failed, or -1 for call-level rules
 * @param message a sentence naming the TDMR (index and range), slot or PAMT level and the rule
 */
public record Violation(ModuleError error, long code, Rule rule, int tdmrIndex, String message) {

  /** The status as the module prints it: {@code 0xC0000A2100000302}. */
  public String hexCode() {
    return "0x%016X".formatted(code);
  }

  /** One line: error name, code and sentence. */
  @Override
  public String toString() {
    if (!error.fromModule()) {
      return "%s (host, no module status): %s".formatted(error.name(), message);
    }
    return "%s %s: %s".formatted(error.name(), hexCode(), message);
  }
}
