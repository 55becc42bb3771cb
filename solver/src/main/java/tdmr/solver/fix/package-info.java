/**
 * What to give up so that a kernel's own TDMR construction succeeds: the least TDX memory, found
 * by an exact search whose every candidate is judged by replaying the construction on the map the
 * kernel would see with the matching {@code memmap=} parameters.
 */
package tdmr.solver.fix;
