# Reference fixtures for gaussmix's conjugate prior (MAP-EM, mclust's priorControl/defaultPrior) and its uniform
# noise component (mclust's Vinv, hypvol).
#
# Writes test/fixtures/mclust-prior-noise.json. Run from anywhere:
#   Rscript scripts/generate-mclust-prior-noise-fixtures.R
# Needs only R and mclust (Debian: r-cran-mclust). The small JSON writer is the one of
# scripts/generate-mclust-fixtures.R (17 significant digits at most, shortest round trip).
#
# prior:  for each data set (faithful K=2 and 3, iris K=3, diabetes K=3, banknote K=2), from the one-hot z of
#         mclust's default partition hclass(hc(X, "VVV", use = "SVD"), K), for each of the ten models that take a
#         prior: defaultPrior(X, K, model) (the hyper-parameters priorControl() gives) and
#         me(model, X, z, prior = priorControl(), control = emControl(tol = c(0, inner), itmax = c(it, inner)))
#         for it = 1, 5, 30 (tol 0: a fixed number of iterations). One data set also with a user prior
#         priorControl(shrinkage = 0.2, dof = d + 4, scale = ...).
# noise:  each data set above plus 10% uniform clutter drawn in R's bounding box of the data (set.seed below; the
#         rows are stored in the fixture). z = the one-hot hclass partition of the clean rows with a noise column
#         that is 1 for the clutter rows (mclust's initialization = list(noise = ...) start), Vinv =
#         hypvol(X, reciprocal = TRUE): me(model, X, z, Vinv = Vinv, control = ...) for all fourteen models, and with
#         prior = priorControl() for the ten that take one.
# hypvol: hypvol(X) with its two candidates (log volume of the bounding box, and of the box of the principal
#         component scores, princomp) for every data set, clean and contaminated.

suppressPackageStartupMessages(library(mclust))

args <- commandArgs(FALSE)
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", args, value = TRUE))))
root <- normalizePath(file.path(here, ".."))
out_path <- file.path(root, "test", "fixtures", "mclust-prior-noise.json")

source(file.path(here, "fixture-json.R"))
vec <- function(x) arr(as.list(as.numeric(x)))
mat <- function(m) arr(lapply(seq_len(nrow(m)), function(i) vec(m[i, ])))
cube <- function(a) arr(lapply(seq_len(dim(a)[3]), function(k) mat(matrix(a[, , k], dim(a)[1], dim(a)[2]))))

read_data <- function(name) {
  X <- read.csv(file.path(root, "data", paste0(name, ".csv")))
  if ("species" %in% names(X)) X$species <- NULL
  as.matrix(X)
}

ALL <- mclust.options("emModelNames")
PRIOR_MODELS <- c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "EEV", "VEV", "VVV")
EPS <- .Machine$double.eps
INNER <- list(tol = sqrt(EPS), itmax = .Machine$integer.max)   # mclust's default inner control
ITS <- c(1, 5, 30)

run_json <- function(fit, p, G, it) {
  par <- fit$parameters
  ok <- !is.na(fit$loglik) && all(!is.na(par$variance$sigma))
  r <- list(itmax = it, returnCode = attr(fit, "returnCode"), warning = attr(fit, "WARNING"), ok = ok)
  if (!ok) return(r)
  r$pro <- vec(par$pro)                                   # K (+1: the noise proportion last)
  r$mean <- mat(t(matrix(par$mean, p, G)))
  r$sigma <- cube(array(par$variance$sigma, c(p, p, G)))
  r$loglik <- fit$loglik
  info <- attr(fit, "info"); if (is.list(info)) info <- unlist(info)
  r$iterations <- unname(info[1])
  r
}

me_runs <- function(X, z, model, G, prior = NULL, Vinv = NULL) {
  lapply(ITS, function(it) {
    ctrl <- emControl(tol = c(0, INNER$tol), itmax = c(it, INNER$itmax))
    fit <- withCallingHandlers(me(data = X, modelName = model, z = z, prior = prior, control = ctrl, Vinv = Vinv),
      warning = function(w) invokeRestart("muffleWarning"))
    run_json(fit, ncol(X), G, it)
  })
}

prior_json <- function(pp, p) {
  s <- pp$scale
  list(shrinkage = pp$shrinkage, mean = vec(pp$mean), dof = pp$dof,
       scale = if (length(s) == 1) s else mat(matrix(s, p, p)))
}

hypvol_json <- function(X) {
  logrange <- function(x) sum(log(apply(x, 2, function(col) diff(range(col)))))
  list(hypvol = hypvol(X), logBox = logrange(X), logPcBox = logrange(princomp(X)$scores))
}

DATASETS <- list(
  list(name = "faithful", K = 2), list(name = "faithful", K = 3), list(name = "iris", K = 3),
  list(name = "diabetes", K = 3), list(name = "banknote", K = 2)
)

set.seed(19)
cases <- lapply(DATASETS, function(ds) {
  X <- read_data(ds$name); K <- ds$K; n <- nrow(X); p <- ncol(X)
  cl <- hclass(hc(X, modelName = "VVV", use = "SVD"), K)[, 1]
  z <- unmap(cl)
  cat(ds$name, "K =", K, "\n")
  prior <- list()
  for (m in PRIOR_MODELS) {
    prior[[m]] <- list(defaultPrior = prior_json(defaultPrior(X, K, m), p),
                       runs = me_runs(X, z, m, K, prior = priorControl()))
  }
  # contaminated copy: 10% uniform clutter in the bounding box (rows appended after the data)
  m <- ceiling(n / 10)
  lo <- apply(X, 2, min); hi <- apply(X, 2, max)
  C <- sapply(seq_len(p), function(j) runif(m, lo[j], hi[j]))
  Y <- rbind(X, matrix(C, m, p))
  noiseRows <- c(rep(FALSE, n), rep(TRUE, m))
  zc <- cbind(unmap(hclass(hc(Y[!noiseRows, , drop = FALSE], modelName = "VVV", use = "SVD"), K)[, 1]), 0)
  zn <- matrix(0, n + m, K + 1); zn[!noiseRows, ] <- zc; zn[noiseRows, K + 1] <- 1
  Vinv <- hypvol(Y, reciprocal = TRUE)
  noise <- list()
  for (mod in ALL) {
    rec <- list(runs = me_runs(Y, zn, mod, K, Vinv = Vinv))
    if (mod %in% PRIOR_MODELS) {
      rec$defaultPrior <- prior_json(defaultPrior(Y, K, mod), p)
      rec$priorRuns <- me_runs(Y, zn, mod, K, prior = priorControl(), Vinv = Vinv)
    }
    noise[[mod]] <- rec
  }
  list(name = ds$name, file = paste0("data/", ds$name, ".csv"), n = n, d = p, K = K,
       labels = vec(cl - 1), prior = prior, hypvol = hypvol_json(X),
       contaminated = list(labelsEqualClean = identical(zc[, 1:K], unmap(cl)), clutter = mat(matrix(C, m, p)), Vinv = Vinv, hypvol = hypvol_json(Y),
                           models = noise))
})

# a user prior on one data set: every hyper-parameter given
X <- read_data("iris"); K <- 3; p <- ncol(X)
z <- unmap(hclass(hc(X, modelName = "VVV", use = "SVD"), K)[, 1])
S <- diag(p) * 0.05 + 0.01
user <- list()
for (m in PRIOR_MODELS) {
  sc <- if (m %in% c("EII", "VII", "EEI", "VEI", "EVI", "VVI")) 0.07 else S
  pc <- priorControl(shrinkage = 0.2, mean = c(5, 3, 4, 1), dof = p + 4, scale = sc)
  user[[m]] <- list(prior = prior_json(defaultPrior(X, K, m, shrinkage = 0.2, mean = c(5, 3, 4, 1), dof = p + 4,
                                                     scale = sc), p),
                    runs = me_runs(X, z, m, K, prior = pc))
}

meta <- list(
  R = R.version.string,
  mclust = as.character(packageVersion("mclust")),
  generator = "scripts/generate-mclust-prior-noise-fixtures.R",
  conventions = "mean K×D; sigma K×D×D row-major; pro has K entries, or K+1 with the noise proportion last; labels 0-based; runs: me() with emControl(tol = c(0, sqrt(eps)), itmax = c(itmax, .Machine$integer.max)) — itmax EM iterations (the first M-step from z counts as one), loglik of the returned parameters (mclust reports the log-likelihood, not the log posterior, also with a prior); contaminated rows = the data set's rows followed by the clutter rows"
)

json <- to_json(list(meta = meta, cases = cases, user = list(data = "iris", K = K, models = user)))
writeLines(json, out_path)
cat("wrote", out_path, file.size(out_path), "bytes\n")
