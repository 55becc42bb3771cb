package tdmr.solver.fix;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.tdx.Tdmr;

/**
 * One way to treat one memory block: keep it, give it up whole (an island between two holes merges
 * them into one reserved area, a block that opens a TDMR no longer does), or give up the part
 * before its first or after its last 1 GiB boundary, which moves where the kernel's TDMRs start and
 * end ({@code fill_out_tdmrs} rounds each block out to 1 GiB).
 *
 * @param kind what is given up
 * @param kept the part of the block the kernel still sees, if any
 * @param giveUp the ranges given up (adjacent ranges are joined later)
 */
record GiveUpOption(Kind kind, Optional<AddressRange> kept, List<AddressRange> giveUp) {

  enum Kind {
    KEEP,
    WHOLE_BLOCK,
    HEAD_TO_1G,
    TAIL_FROM_1G,
    HEAD_AND_TAIL
  }

  long cost() {
    return giveUp.stream().mapToLong(AddressRange::size).sum();
  }

  /** Every option for {@code block}, keeping first. */
  static List<GiveUpOption> of(MemoryBlock block) {
    long s = block.start();
    long e = block.end();
    long head = ByteSize.alignUp(s, Tdmr.ALIGNMENT);
    long tail = ByteSize.alignDown(e, Tdmr.ALIGNMENT);
    boolean hasHead = head != s && head < e;
    boolean hasTail = tail != e && tail > s;
    List<GiveUpOption> out = new ArrayList<>(5);
    out.add(new GiveUpOption(Kind.KEEP, Optional.of(block.range()), List.of()));
    out.add(new GiveUpOption(Kind.WHOLE_BLOCK, Optional.empty(), List.of(block.range())));
    if (hasHead) {
      out.add(new GiveUpOption(Kind.HEAD_TO_1G, Optional.of(new AddressRange(head, e)), List.of(new AddressRange(s, head))));
    }
    if (hasTail) {
      out.add(new GiveUpOption(Kind.TAIL_FROM_1G, Optional.of(new AddressRange(s, tail)), List.of(new AddressRange(tail, e))));
    }
    if (hasHead && hasTail && head < tail) {
      out.add(new GiveUpOption(Kind.HEAD_AND_TAIL, Optional.of(new AddressRange(head, tail)),
          List.of(new AddressRange(s, head), new AddressRange(tail, e))));
    }
    return out;
  }
}
