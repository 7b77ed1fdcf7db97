-- The median's reads answered from the index alone (issue 17). The median's first pass reads the
-- 64-hour bands of a period's whole months and of its partial months' days by (lvl, area, month)
-- through stats_hist_key, then fetched each row from the table for its count `n`; the days of a
-- partial month lie on scattered pages. The key now carries `n`, so those reads are index-only
-- (the table's own visibility map permitting). Measured on the benchmark's national data set, an
-- area's year from the 17th to the 17th: the first pass's execution 1.04 -> 0.48 ms, the summary's
-- figures 2.3 -> 1.7 ms. The index replaces the old one (same columns, one more included), so a
-- write maintains as many indexes as before. Built in 13 s on 3.9 million kept rows.
DROP INDEX stats_hist_key;
CREATE INDEX stats_hist_key ON stats_hist (lvl, area, month, ward, category, age, types, hour)
  INCLUDE (n);
