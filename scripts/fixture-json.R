# A minimal JSON writer shared by the mclust fixture generators (sourced, not run on its own): named list → object,
# unnamed list → array, atomic length-1 → scalar unless wrapped by arr(). Numbers are written in the shortest form
# that reads back as the same double (15 or 16 significant digits, else 17); NA → null, ±Inf → ±1e999.

arr <- function(x) structure(list(x), class = "json_array")
num <- function(x) {
  if (is.na(x)) return("null")
  if (is.infinite(x)) return(if (x > 0) "1e999" else "-1e999")
  s <- sprintf("%.17g", x)
  # shortest representation that round-trips, to keep the file small
  for (d in 15:16) { t <- sprintf(paste0("%.", d, "g"), x); if (as.numeric(t) == x) { s <- t; break } }
  s
}
to_json <- function(x) {
  if (inherits(x, "json_array")) {
    v <- x[[1]]
    return(paste0("[", paste(vapply(seq_along(v), function(i) to_json(v[[i]]), ""), collapse = ","), "]"))
  }
  if (is.null(x)) return("null")
  if (is.list(x)) {
    nm <- names(x)
    if (is.null(nm)) return(paste0("[", paste(vapply(x, to_json, ""), collapse = ","), "]"))
    return(paste0("{", paste(vapply(seq_along(x), function(i)
      paste0("\"", nm[i], "\":", to_json(x[[i]])), ""), collapse = ","), "}"))
  }
  if (is.character(x)) {
    if (length(x) != 1) return(to_json(arr(as.list(x))))
    if (is.na(x)) return("null")
    return(paste0("\"", gsub("\"", "\\\\\"", x), "\""))
  }
  if (is.logical(x) && length(x) == 1) return(if (is.na(x)) "null" else if (x) "true" else "false")
  if (is.numeric(x) || is.logical(x)) {
    x <- as.numeric(x)
    if (length(x) == 1 && is.null(dim(x))) return(num(x))
    return(paste0("[", paste(vapply(x, num, ""), collapse = ","), "]"))
  }
  stop("cannot serialise ", class(x))
}
