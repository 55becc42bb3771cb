/** Triage of a host's kernel log: did TDX come up, and if not, why, in plain words. */
package tdmr.triage;
