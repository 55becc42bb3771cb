/** Readers: kernel logs (dmesg), /proc/iomem and the JSON formats, with line-numbered errors. */
package tdmr.parse;
