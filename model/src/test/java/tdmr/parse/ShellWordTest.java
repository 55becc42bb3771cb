package tdmr.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ShellWordTest {
  @Test
  void safeNamesStayAsTheyAre() {
    assertEquals("dmesg.txt", ShellWord.of("dmesg.txt"));
    assertEquals("/var/log/host-1/kern.log", ShellWord.of("/var/log/host-1/kern.log"));
  }

  @Test
  void otherNamesAreSingleQuoted() {
    assertEquals("'my host.txt'", ShellWord.of("my host.txt"));
    assertEquals("'a$b'", ShellWord.of("a$b"));
    assertEquals("''", ShellWord.of(""));
    // A single quote ends the quoting, is written escaped, and quoting starts again: 'it'\''s'.
    assertEquals("'it'\\''s'", ShellWord.of("it's"));
  }
}
