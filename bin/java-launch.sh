# Shared by bin/tdmr and bin/tdmr-bench (sourced): starts the JVM so that it cannot fail silently.
#
# tdmr_java_exec NAME JAVA-ARGS...  checks that Java can start and execs it; on a start failure it
# prints one line "NAME: ..." and exits 2.

tdmr_java_exec() {
  local name="$1"
  shift
  local java="${JAVA:-java}"
  if [[ -n "${JAVA_HOME:-}" && -z "${JAVA:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    java="$JAVA_HOME/bin/java"
  fi
  if ! command -v "$java" > /dev/null 2>&1; then
    echo "$name: cannot start: no java on the PATH (Java 17 or later is needed)" >&2
    exit 2
  fi
  # A crash report goes to the temporary directory, not into the user's current directory.
  local opts=("-XX:ErrorFile=${TMPDIR:-/tmp}/$name-hs_err_pid%p.log")
  # Address space the VM reserves beside its heap: modest, so that it starts under ulimit -v.
  opts+=(-XX:ReservedCodeCacheSize=128m -XX:CompressedClassSpaceSize=128m -XX:MaxMetaspaceSize=256m)
  local limit
  limit="$(ulimit -v)"
  local probe=0
  if [[ "$limit" != unlimited ]]; then
    # A third of the address space for the heap leaves room for the VM, native solvers and threads;
    # glibc's per-thread malloc arenas (64 MiB of address space each) are capped for the same reason.
    opts+=("-Xmx$((limit / 3 / 1024))m")
    export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
    probe=1
  fi
  # shellcheck disable=SC2206
  local user=(${TDMR_JAVA_OPTS:-})
  if [[ ${#user[@]} -gt 0 ]]; then
    probe=1
  fi
  if [[ $probe == 1 ]]; then
    local out
    if ! out="$("$java" "${opts[@]}" "${user[@]}" -version 2>&1)"; then
      local reason
      reason="$({ grep -m1 -E 'Could not (reserve|allocate)|insufficient memory|Invalid|Unrecognized|Error' <<<"$out" || true; } | sed -e 's/^# *//' -e 's/^Error: *//' -e 's/^Error occurred during initialization of VM$/the VM did not initialize/')"
      if [[ "$limit" != unlimited ]]; then
        echo "$name: the Java VM cannot start within the address-space limit (ulimit -v $limit KiB): ${reason:-it exited at once}; it needs about 1 GiB of address space (ulimit -v 1000000) or more" >&2
      else
        echo "$name: the Java VM cannot start with TDMR_JAVA_OPTS='${TDMR_JAVA_OPTS:-}': ${reason:-it exited at once}" >&2
      fi
      exit 2
    fi
  fi
  # Closed standard input (<&-) would let the VM reuse descriptor 0 for one of its own files, which
  # '-' would then read: give it an empty input, and let tdmr say that standard input was closed.
  if [[ -d "/proc/$$/fd" && ! -e "/proc/$$/fd/0" ]]; then
    exec 0< /dev/null
    opts+=(-Dtdmr.stdin=closed)
  fi
  exec "$java" "${opts[@]}" "${user[@]}" "$@"
}
