package tdmr.fuzz;

import java.util.List;

/** The values a hostile input puts where a number belongs: the edges of every field and beyond. */
final class Hostile {
  private Hostile() {}

  /** Numbers at 0, 2^52, 2^63, 2^64 - 1 and beyond, in hex and decimal, and things that are no number. */
  static final List<String> NUMBERS = List.of(
      "0", "0x0", "1", "0x1000",
      "0xfffffffffffff", "0x10000000000000", "0x10000000000001", "4503599627370496",
      "0x7fffffffffffffff", "0x8000000000000000", "9223372036854775807", "9223372036854775808",
      "0xffffffffffffffff", "18446744073709551615", "0x10000000000000000", "18446744073709551616",
      "99999999999999999999", "-1", "-9223372036854775809", "4294967296", "65536", "2147483648",
      "1" + "0".repeat(200), "0x" + "f".repeat(300), "0x", "", "x", "1e30", "1.5");

  /** Kernel log lines of every kind the readers and the triage look at; {@code %s} takes a number. */
  static final List<String> LINES = List.of(
      "[    0.000000] BIOS-e820: [mem %s-%s] usable",
      "[    0.000000] BIOS-e820: [mem %s-%s] reserved",
      "[    0.000000] BIOS-e820: %s - %s (usable)",
      "[    0.000000] user: [mem %s-%s] usable",
      "[    0.000000] e820: update [mem %s-%s] usable ==> reserved",
      "[    0.000000] e820: remove [mem %s-%s] usable",
      "[    0.000000]   node   %s: [mem %s-%s]",
      "[    0.000000] ACPI: SRAT: Node %s PXM %s [mem %s-%s] hotplug",
      "[    0.000000] SRAT: Node %s PXM %s %s-%s",
      "[    0.000000] Command line: ro memmap=%s$%s mem=%s",
      "[    0.000000] Kernel command line: memmap=%s%%s-%s+%s",
      "[   10.0] virt/tdx: CMR: [%s, %s)",
      "[   10.0] virt/tdx: CMR[%s]: [%s, %s)",
      "[   10.0] virt/tdx: %s KB allocated for PAMT",
      "[   10.0] virt/tdx: %s pages allocated for PAMT",
      "[   10.0] virt/tdx: TDX module: attributes %s, vendor_id %s, major_version %s, minor_version %s, build_date %s, build_num %s",
      "[   10.0] virt/tdx: TDX module %s.%s.%s, build number %s, build date %s",
      "[   10.0] virt/tdx: Module version: %s.%s.%s",
      "[   10.0] virt/tdx: SEAMCALL (%s) failed: %s",
      "[   10.0] virt/tdx: SEAMCALL failed: leaf %s, error %s",
      "[   10.0] virt/tdx: RCX %s RDX %s R08 %s",
      "[   10.0] virt/tdx: R09 %s R10 %s R11 %s",
      "[   10.0] virt/tdx: initialization failed: TDMR [%s, %s): reserved areas exhausted.",
      "[   10.0] virt/tdx: module initialization failed (%s)",
      "[   10.0] virt/tdx: BIOS enabled: private KeyID range [%s, %s)",
      "[   10.0] virt/tdx: module initialized",
      "[   10.0] kvm_intel: TDX %s",
      "[    0.0] SEAMRR %s not enabled",
      "%s-%s : System RAM",
      "  %s-%s : Kernel code");

  /** Runs of characters that are not text, or too much of it. */
  static final List<byte[]> BYTES = List.of(
      new byte[] {0},
      new byte[] {(byte) 0xc3, 0x28},
      new byte[] {(byte) 0xff, (byte) 0xfe},
      new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf},
      new byte[] {'\r'},
      new byte[] {'\r', '\n'},
      "\u2028\u0085".getBytes(java.nio.charset.StandardCharsets.UTF_8),
      " ".repeat(5000).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
      "0".repeat(3000).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
      "SEAMRR kvm_intel: ".repeat(200).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
}
