package tdmr.time;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Deadlines: expiry, shares that never pass the whole, and budgets too large for the clock. */
class DeadlineTest {
  @Test
  void anExpiredDeadlineThrowsOnCheck() {
    Deadline past = Deadline.in(0);
    assertTrue(past.expired());
    assertThrows(Deadline.Exceeded.class, past::check);
    assertTrue(past.remainingSeconds() == 0);
  }

  @Test
  void noDeadlineNeverExpires() {
    Deadline none = Deadline.none();
    assertFalse(none.expired());
    none.check();
    assertSame(none, none.share(4));
    assertFalse(none.within(3600).isNone());
  }

  @Test
  void aShareNeverEndsAfterTheWhole() {
    Deadline whole = Deadline.in(100);
    Deadline half = whole.share(2);
    // Half of about 100 s left: at most 50 s, never more than the whole.
    assertTrue(half.remainingSeconds() <= 50.0 + 1e-3, half.toString());
    assertTrue(half.remainingSeconds() <= whole.remainingSeconds());
    assertSame(whole, whole.share(1));
    assertThrows(IllegalArgumentException.class, () -> whole.share(0));
  }

  @Test
  void withinTakesTheEarlierDeadline() {
    Deadline whole = Deadline.in(100);
    assertTrue(whole.within(1).remainingSeconds() <= 1.0);
    assertSame(whole, whole.within(1000));
  }

  @Test
  void hugeBudgetsDoNotOverflowTheClock() {
    Deadline far = Deadline.in(1e300);
    assertFalse(far.expired());
    assertTrue(far.remainingSeconds() > 1e8);
    assertFalse(Deadline.in(Double.POSITIVE_INFINITY).expired());
    assertThrows(IllegalArgumentException.class, () -> Deadline.in(Double.NaN));
  }
}
