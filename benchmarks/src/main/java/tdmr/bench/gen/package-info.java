/**
 * Seeded generators of synthetic memory maps modelled on real server firmware (e820, SRAT and CMR
 * tables), and the writer that turns them into dmesg text the {@code tdmr} readers accept.
 */
package tdmr.bench.gen;
