package tdmr.boot;

import java.util.ArrayList;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;

/**
 * What to say before an operator reserves memory below 4 GiB with {@code memmap=}: the TDMR
 * construction is replayed exactly, the rest of the boot is not. Two facts of x86-64 Linux matter
 * there: the kernel image is loaded at {@code CONFIG_PHYSICAL_START} (16 MiB in the defconfigs)
 * unless KASLR picks another place (its decompressor avoids the first 4 {@code memmap=} ranges and
 * stops randomizing with more, {@code arch/x86/boot/compressed/kaslr.c}), and DMA32 devices and the
 * swiotlb bounce buffer (64 MiB by default) need memory below 4 GiB.
 */
public final class LowMemoryCaution {
  /** {@code CONFIG_PHYSICAL_START} of x86-64 defconfigs and distribution kernels. */
  public static final long KERNEL_LOAD_ADDRESS = 16 * ByteSize.MiB;

  /** Below 4 GiB, more than this given up deserves a trial boot (swiotlb alone takes 64 MiB there). */
  static final long LOW_MEMORY_NOTICE = 256 * ByteSize.MiB;

  private static final long FOUR_GIB = 4 * ByteSize.GiB;

  private LowMemoryCaution() {}

  /** The cautions for giving up {@code giveUp}; empty when it leaves low memory alone (small islands). */
  public static List<String> of(List<AddressRange> giveUp) {
    List<String> out = new ArrayList<>();
    giveUp.stream().filter(r -> r.contains(KERNEL_LOAD_ADDRESS)).findFirst().ifPresent(r -> out.add((
        "%s covers 0x%x, where the kernel image is loaded unless KASLR moves it (KASLR avoids up to 4 memmap="
            + " ranges; with nokaslr, or more memmap= ranges, the kernel is loaded there): test-boot it.")
            .formatted(r, KERNEL_LOAD_ADDRESS)));
    AddressRange below4g = new AddressRange(0, FOUR_GIB);
    long low = giveUp.stream().mapToLong(r -> r.intersect(below4g).size()).sum();
    if (low > LOW_MEMORY_NOTICE) {
      out.add(("the fix gives up %s below 4 GiB, which DMA32 devices and the swiotlb bounce buffer (64 MiB by default)"
          + " draw on: try it on one host (or from the GRUB prompt, for one boot) before rolling it out.")
          .formatted(ByteSize.human(low)));
    }
    return out;
  }
}
