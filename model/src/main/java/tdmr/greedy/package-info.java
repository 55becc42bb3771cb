/** The Linux kernel's one-pass TDMR construction and its pluggable PAMT placement. */
package tdmr.greedy;
