# Writes two of R mclust's bundled data sets to data/ as plain numeric CSV (features only), so tests and fixture
# generators share them without needing R: diabetes (Reaven & Miller 1979; 145 × 3, features on very different
# scales) and banknote (Flury & Riedwyl 1988; 200 × 6, the D > 4 kernel paths). Run: Rscript scripts/export-mclust-data.R
suppressPackageStartupMessages(library(mclust))
out <- file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))), "..", "data")
data(diabetes)
write.csv(diabetes[, c("glucose", "insulin", "sspg")], file.path(out, "diabetes.csv"), row.names = FALSE)
data(banknote)
write.csv(banknote[, c("Length", "Left", "Right", "Bottom", "Top", "Diagonal")], file.path(out, "banknote.csv"), row.names = FALSE)
cat("mclust", as.character(packageVersion("mclust")), "\n")
