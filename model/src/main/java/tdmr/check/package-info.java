/** The referee: the TDH.SYS.CONFIG validator in the module's order, the OS coverage check and the TDMR_INFO codec. */
package tdmr.check;
