/**
 * The greedy-versus-optimum sweep: runs every engine on every map in parallel, writes
 * {@code results.csv}, {@code summary.md} and SVG charts.
 */
package tdmr.bench.sweep;
