# Reference fixtures for gaussmix's mclust models (Σk = λk Dk Ak Dkᵀ, mclust's fourteen covariance models).
#
# Writes test/fixtures/mclust-models.json. Run from anywhere: Rscript scripts/generate-mclust-fixtures.R
# Needs only R and mclust (Debian: r-cran-mclust); the JSON is written by a small serialiser below, so no
# JSON package is needed. Every number is printed with 17 significant digits (exact double round trip).
#
# For each data set (faithful K=2 and K=3, iris K=3, diabetes K=3, banknote K=2):
#   * partition: hclass(hc(X, modelName = "VVV", use = "SVD"), K) — mclust's own default initialisation
#     (mclust.options("hcModelName"/"hcUse")), deterministic; labels recorded 0-based.
#   * for each of the 14 models, from the one-hot z of that partition:
#       mstep   mstep(modelName, X, z) with its default control (emControl(): inner tol sqrt(eps), no inner cap);
#       me      me(modelName, X, z, control = emControl(tol = ..., itmax = ...)) for several controls (see ME_RUNS):
#               parameters, loglik as reported, loglik of estep() on the result, info (outer and inner
#               iterations as reported, sign included), bic(), icl, returnCode and WARNING;
#       mclust  Mclust(X, G = K, modelNames = modelName): loglik, bic, icl, so the fixture also shows that
#               Mclust = hc + hclass + unmap + me(control = emControl()).
#   * nMclustParams(modelName, d, K).
# hc: merge sequences for small subsets (and the full data sets) with hc(X, "VVV", use = "SVD"), hc(X, "VVV",
# use = "VARS") and hc(X, "EII", use = "SVD"): the data mclust clustered (attr(hc, "data")), alpha, the merge
# pairs (0-based), hclass labels for K = 2..4 (0-based).
#
# Conventions in the JSON (all also stated in meta.conventions):
#   mean K×D; sigma K×D×D (row-major nested arrays); shape D (common) or K×D (per component); orientation D×D
#   (common) or K×D×D, columns are the eigenvectors, Σk = scale_k · Dk diag(shape_k) Dkᵀ; scale scalar or K.
#   Labels and merge indices are 0-based. NA → null.

suppressPackageStartupMessages(library(mclust))

args <- commandArgs(FALSE)
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", args, value = TRUE))))
root <- normalizePath(file.path(here, ".."))
out_path <- file.path(root, "test", "fixtures", "mclust-models.json")

source(file.path(here, "fixture-json.R"))
vec <- function(x) arr(as.list(as.numeric(x)))                      # always an array, even of length 1
mat <- function(m) arr(lapply(seq_len(nrow(m)), function(i) vec(m[i, ])))   # row-major nested array
cube <- function(a) arr(lapply(seq_len(dim(a)[3]), function(k) mat(matrix(a[, , k], dim(a)[1], dim(a)[2]))))

# ---------------------------------------------------------------------------------------------------------------

read_data <- function(name) {
  X <- read.csv(file.path(root, "data", paste0(name, ".csv")))
  if ("species" %in% names(X)) X$species <- NULL
  as.matrix(X)
}

MODELS <- mclust.options("emModelNames")   # EII VII EEI VEI EVI VVI EEE VEE EVE VVE EEV VEV EVV VVV
EPS <- .Machine$double.eps
IMAX <- .Machine$integer.max
ME_RUNS <- list(
  list(id = "t0-it1-in50",   tol = c(0, 0),         itmax = c(1, 50)),
  list(id = "t0-it5-in50",   tol = c(0, 0),         itmax = c(5, 50)),
  list(id = "t0-it50-in50",  tol = c(0, 0),         itmax = c(50, 50)),
  list(id = "t0-it5-inDef",  tol = c(0, sqrt(EPS)), itmax = c(5, IMAX)),
  list(id = "t0-it50-inDef", tol = c(0, sqrt(EPS)), itmax = c(50, IMAX)),
  list(id = "default",       tol = c(1e-5, sqrt(EPS)), itmax = c(IMAX, IMAX))
)

# parameters of an mstep/me result in the JSON layout
params_json <- function(fit, p, G) {
  par <- fit$parameters
  v <- par$variance
  res <- list(pro = vec(par$pro), mean = mat(t(matrix(par$mean, p, G))), sigma = cube(array(v$sigma, c(p, p, G))))
  if (!is.null(v$scale)) res$scale <- if (length(v$scale) == 1) v$scale else vec(v$scale)
  if (!is.null(v$shape)) res$shape <- if (is.matrix(v$shape)) mat(t(v$shape)) else vec(v$shape)
  if (!is.null(v$orientation)) {
    o <- v$orientation
    res$orientation <- if (length(dim(o)) == 3) cube(o) else mat(matrix(o, p, p))
  }
  res
}

info_json <- function(fit) {
  info <- attr(fit, "info")
  if (is.null(info)) return(NULL)
  if (is.list(info)) info <- unlist(info)
  res <- list(iterations = unname(info[1]), error = unname(info[2]))
  inner <- attr(info, "inner")
  if (is.null(inner)) inner <- attr(attr(fit, "info"), "inner")
  if (!is.null(inner)) res$inner <- list(iterations = unname(inner[1]), error = unname(inner[2]))
  res
}

icl_of <- function(n, z, bicval) {
  if (is.null(z) || any(is.na(z)) || is.na(bicval)) return(NA)
  mclust:::icl.Mclust(list(n = n, z = z, bic = bicval))
}

sum_log_max_z <- function(z) {
  if (is.null(z) || any(is.na(z))) return(NA)
  sum(log(apply(z, 1, max)))
}

warn_text <- function(fit) { w <- attr(fit, "WARNING"); if (is.null(w)) NULL else w }

fit_model <- function(X, z, model, K) {
  n <- nrow(X); p <- ncol(X)
  rec <- list(nParams = nMclustParams(model, p, K))
  ms <- mstep(data = X, modelName = model, z = z)
  rec$mstep <- c(params_json(ms, p, K), list(info = info_json(ms), returnCode = attr(ms, "returnCode"),
                                             warning = warn_text(ms)))
  if (all(!is.na(ms$parameters$variance$sigma))) {
    es <- estep(data = X, modelName = model, parameters = ms$parameters)
    rec$mstep$loglikEstep <- es$loglik
  }
  rec$me <- lapply(ME_RUNS, function(run) {
    ctrl <- emControl(tol = run$tol, itmax = run$itmax)
    fit <- me(data = X, modelName = model, z = z, control = ctrl)
    r <- list(id = run$id, control = list(tol = vec(run$tol), itmax = vec(run$itmax)))
    ok <- !is.na(fit$loglik) && all(!is.na(fit$parameters$variance$sigma))
    r <- c(r, params_json(fit, p, K))
    r$loglik <- fit$loglik
    r$info <- info_json(fit)
    r$returnCode <- attr(fit, "returnCode")
    r$warning <- warn_text(fit)
    if (ok) {
      es <- estep(data = X, modelName = model, parameters = fit$parameters)
      r$loglikEstep <- es$loglik
      b <- bic(modelName = model, loglik = fit$loglik, n = n, d = p, G = K)
      r$bic <- b
      r$icl <- icl_of(n, fit$z, b)
      r$sumLogMaxZ <- sum_log_max_z(fit$z)
    }
    r
  })
  mc <- Mclust(X, G = K, modelNames = model, verbose = FALSE)
  rec$Mclust <- if (is.null(mc)) list(failed = TRUE) else
    list(loglik = mc$loglik, bic = mc$bic, icl = icl(mc), df = mc$df)
  rec
}

DATASETS <- list(
  list(name = "faithful", K = 2), list(name = "faithful", K = 3), list(name = "iris", K = 3),
  list(name = "diabetes", K = 3), list(name = "banknote", K = 2)
)

cases <- lapply(DATASETS, function(ds) {
  X <- read_data(ds$name); K <- ds$K
  cl <- hclass(hc(X, modelName = "VVV", use = "SVD"), K)[, 1]
  z <- unmap(cl)
  cat(ds$name, "K =", K, "sizes", tabulate(cl), "\n")
  models <- list()
  for (m in MODELS) {
    models[[m]] <- withCallingHandlers(fit_model(X, z, m, K),
      warning = function(w) { cat("  warning", m, conditionMessage(w), "\n"); invokeRestart("muffleWarning") })
  }
  list(name = ds$name, file = paste0("data/", ds$name, ".csv"), n = nrow(X), d = ncol(X), K = K,
       partition = "hclass(hc(X, modelName = 'VVV', use = 'SVD'), K)", labels = vec(cl - 1), models = models)
})

# ---------------------------------------------------------------------------------------------------------------
# hierarchical clustering

hc_case <- function(name, rows, model, use, withData) {
  X <- read_data(name)
  if (!is.null(rows)) X <- X[seq_len(rows), , drop = FALSE]
  h <- hc(X, modelName = model, use = use)
  Z <- attr(h, "data")
  n <- nrow(X); p <- ncol(Z)
  merges <- t(unclass(h)[1:2, , drop = FALSE]) - 1
  labels <- lapply(2:4, function(G) vec(hclass(h, G)[, 1] - 1))
  names(labels) <- as.character(2:4)
  res <- list(name = name, rows = n, modelName = model, use = use,
              initialPartitionIsIdentity = identical(as.integer(attr(h, "initialPartition")), seq_len(n)),
              alpha = if (model == "VVV") max(mclust:::traceW(Z / sqrt(n * p)), EPS) else NULL,
              merges = mat(merges), hclass = labels)
  if (withData) res$data <- mat(Z)
  res
}

hcs <- list(
  hc_case("faithful", 40, "VVV", "SVD", TRUE),
  hc_case("faithful", 40, "VVV", "VARS", FALSE),
  hc_case("faithful", 40, "EII", "SVD", FALSE),
  hc_case("iris", 30, "VVV", "SVD", TRUE),
  hc_case("iris", 30, "VVV", "VARS", FALSE),
  hc_case("iris", 30, "EII", "SVD", FALSE),
  hc_case("diabetes", 30, "VVV", "SVD", TRUE),
  hc_case("banknote", 30, "VVV", "SVD", TRUE),
  hc_case("faithful", NULL, "VVV", "SVD", FALSE),
  hc_case("iris", NULL, "VVV", "SVD", FALSE),
  hc_case("diabetes", NULL, "VVV", "SVD", FALSE),
  hc_case("banknote", NULL, "VVV", "SVD", FALSE)
)

meta <- list(
  R = R.version.string,
  mclust = as.character(packageVersion("mclust")),
  generator = "scripts/generate-mclust-fixtures.R",
  conventions = list(
    layout = "mean K×D; sigma K×D×D; shape D or K×D; orientation D×D or K×D×D with eigenvectors in columns; Σk = scale_k · Dk diag(shape_k) Dkᵀ",
    indices = "labels and hc merges are 0-based (mclust's 1-based minus 1)",
    bic = "mclust sign: bic = 2·loglik − nParams·log(n), higher is better",
    icl = "icl = bic + 2·Σ_i log max_k z_ik, z from me()'s final E-step (mclust:::icl.Mclust); sumLogMaxZ = Σ_i log max_k z_ik",
    iterations = "me(): one iteration = M-step then E-step; the first M-step from z counts as iteration 1; loglik is from the E-step after the last M-step. info.iterations is negated by mclust when the limit was reached; inner iteration counts likewise (VEI/VEV: max over outer iterations; VEE/EVE/VVE: the last outer iteration's count).",
    mstep = "mstep() with control = NULL, i.e. emControl(): inner tol sqrt(.Machine$double.eps), inner itmax .Machine$integer.max"
  ),
  meRuns = lapply(ME_RUNS, function(r) list(id = r$id, tol = vec(r$tol), itmax = vec(r$itmax)))
)

json <- to_json(list(meta = meta, cases = cases, hc = hcs))
dir.create(dirname(out_path), showWarnings = FALSE, recursive = TRUE)
writeLines(json, out_path)
cat("wrote", out_path, file.size(out_path), "bytes\n")
