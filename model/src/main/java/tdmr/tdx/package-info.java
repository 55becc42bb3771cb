/** What the host hands the TDX module: limits, TDMRs, PAMTs, reserved areas, layouts, PAMT sizing. */
package tdmr.tdx;
