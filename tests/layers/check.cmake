# The layers as the build sees them (cmake -P; tests/CMakeLists.txt runs it as the `layers` test).
#
# Rules: no source of service/domain includes a header of jansson, ulfius or libpq or references a
# symbol they define; no source of service/http includes a header of libpq, directly or through
# another header, and ij_http references none of its symbols; no http object calls the store (an
# undefined ij_store_* symbol) except the pool's infrastructure (IJ_HTTP_STORE_ALLOWED: borrowing,
# scoping and returning a connection, the pool's figures) and, in audit.c and read_routing.c only,
# the access log's writer and the replica's lag: every other read or write goes through one
# ij_ops_* function. The link edges of CMakeLists.txt keep libpq's include directory away from
# service/http, and test_domain links the domain alone, but jansson.h and ulfius.h sit in
# /usr/include where every source finds them, a header can arrive through another header, only the
# domain's own tests would notice a stray symbol, and nothing in the link stops a handler calling
# the store, whose headers ops hands on. So each source is preprocessed with its real compile
# command from compile_commands.json plus -M -MG (every header it pulls in, system ones too, and
# one that cannot be found by the name it was asked for), and the archives' undefined symbols are
# compared with what the libraries define and with the allow-list.
#
# A check that cannot fail proves nothing: first the same check runs on planted sources (a domain
# source with jansson.h and a json_* call, one declaring PQclear by hand, an http source with
# libpq-fe.h, one with the store's private db.h, one calling the store's functions it declares by
# hand), compiled and preprocessed with the commands of real domain and http sources, and the test
# fails unless every one of them is rejected, and the last for exactly the calls it may not make.
#
# Inputs (-D): SOURCE_DIR, COMPILE_COMMANDS, DOMAIN_LIB and HTTP_LIB (the archives), NM, WORK_DIR
# (scratch), JANSSON_LIBS, ULFIUS_LIBS, LIBPQ_LIBS (the shared libraries, as pkg-config finds
# them), LIBPQ_INCLUDE_DIRS (optional: any header below them is libpq's).
cmake_minimum_required(VERSION 3.20)

foreach(var SOURCE_DIR COMPILE_COMMANDS DOMAIN_LIB HTTP_LIB NM WORK_DIR JANSSON_LIBS ULFIUS_LIBS
            LIBPQ_LIBS)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "layers: -D${var}=... is missing")
  endif()
endforeach()

# Headers by name; libpq's also by directory (its pkg-config include directories).
set(IJ_JANSSON_HEADERS "(^|/)jansson(_config)?\\.h$")
set(IJ_ULFIUS_HEADERS "(^|/)ulfius(-cfg)?\\.h$")
set(IJ_LIBPQ_HEADERS "(^|/)(libpq-fe|libpq-events|postgres_ext|pg_config_ext)\\.h$")

function(ij_is_libpq_header header out)
  set(hit FALSE)
  if(header MATCHES "${IJ_LIBPQ_HEADERS}")
    set(hit TRUE)
  endif()
  foreach(dir IN LISTS LIBPQ_INCLUDE_DIRS)
    string(FIND "${header}" "${dir}/" at)
    if(at EQUAL 0)
      set(hit TRUE)
    endif()
  endforeach()
  set(${out} ${hit} PARENT_SCOPE)
endfunction()

# Whether `path` is directly in the folder `dir` (compared as text, not as a pattern).
function(ij_in_folder path dir out)
  get_filename_component(parent "${path}" DIRECTORY)
  if(parent STREQUAL dir)
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

# The names a set of shared libraries defines, into `out`.
function(ij_defined_symbols out)
  set(names)
  foreach(lib IN LISTS ARGN)
    execute_process(COMMAND ${NM} -D --defined-only -P ${lib} RESULT_VARIABLE rc
                    OUTPUT_VARIABLE text ERROR_VARIABLE err)
    string(REGEX MATCHALL "(^|\n)[A-Za-z_][A-Za-z0-9_]*" found "${text}")
    list(LENGTH found n)
    if(NOT rc EQUAL 0 OR n EQUAL 0)
      message(FATAL_ERROR "layers: cannot read the symbols of ${lib}: ${err}")
    endif()
    foreach(name IN LISTS found)
      string(STRIP "${name}" name)
      list(APPEND names ${name})
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES names)
  set(${out} ${names} PARENT_SCOPE)
endfunction()

# The store functions an http object may call: any object these, and an object named (by its
# source's name without extensions) the function after it.
set(IJ_HTTP_STORE_ALLOWED ij_store_acquire ij_store_release ij_store_scope ij_store_stats)
set(IJ_HTTP_STORE_ALLOWED_IN "audit:ij_store_access_log_rows" "read_routing:ij_store_replica_lag")

ij_defined_symbols(IJ_JANSSON_SYMBOLS ${JANSSON_LIBS})
ij_defined_symbols(IJ_ULFIUS_SYMBOLS ${ULFIUS_LIBS})
ij_defined_symbols(IJ_LIBPQ_SYMBOLS ${LIBPQ_LIBS})

# The arguments of a compile command without its output and dependency-file options, into `out`.
function(ij_bare_arguments command out)
  separate_arguments(args UNIX_COMMAND "${command}")
  set(bare)
  set(skip FALSE)
  foreach(arg IN LISTS args)
    if(skip)
      set(skip FALSE)
    elseif(arg MATCHES "^-(o|MF|MT|MQ)$")
      set(skip TRUE)
    elseif(NOT arg MATCHES "^-(c|MD|MMD|M|MM|MG|MP)$" AND NOT arg MATCHES "^-(o|MF|MT|MQ).")
      list(APPEND bare "${arg}")
    endif()
  endforeach()
  set(${out} "${bare}" PARENT_SCOPE)
endfunction()

# Every header a source pulls in with its compile command (missing ones by the name asked for).
function(ij_headers_of command dir file out)
  ij_bare_arguments("${command}" args)
  execute_process(COMMAND ${args} -M -MG WORKING_DIRECTORY "${dir}" RESULT_VARIABLE rc
                  OUTPUT_VARIABLE deps ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "layers: cannot list the headers of ${file}:\n${err}")
  endif()
  string(REPLACE "\\\n" " " deps "${deps}")
  string(REGEX REPLACE "^[^:]*:" "" deps "${deps}")
  string(REGEX REPLACE "[ \t\r\n]+" ";" deps "${deps}")
  list(FILTER deps EXCLUDE REGEX "^$")
  list(REMOVE_ITEM deps "${file}")
  set(${out} "${deps}" PARENT_SCOPE)
endfunction()

# The undefined symbols of archives or objects, as "member: symbol", into `out`.
function(ij_undefined_symbols out)
  set(refs)
  foreach(archive IN LISTS ARGN)
    execute_process(COMMAND ${NM} -A -u -P ${archive} RESULT_VARIABLE rc OUTPUT_VARIABLE text
                    ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "layers: cannot read the symbols of ${archive}: ${err}")
    endif()
    string(REGEX MATCHALL "[^\n]+" lines "${text}")
    foreach(line IN LISTS lines)
      # "lib.a[member.o]: name U" (archives) or "file.o: name U" (objects)
      if(line MATCHES "^(.*): ([^ ]+) [Uw] *")
        set(member "${CMAKE_MATCH_1}")
        string(REGEX REPLACE "@.*" "" name "${CMAKE_MATCH_2}")
        string(REGEX REPLACE "^.*\\[(.*)\\]$" "\\1" member "${member}")
        get_filename_component(member "${member}" NAME)
        list(APPEND refs "${member}: ${name}")
      endif()
    endforeach()
  endforeach()
  set(${out} "${refs}" PARENT_SCOPE)
endfunction()

# The check. ROOT: the tree whose service/domain and service/http are judged; COMPILE_COMMANDS its
# compile commands; DOMAIN and HTTP its archives or objects. Violations, one line each, into `out`;
# the number of domain and http sources judged into `out`_DOMAIN and `out`_HTTP.
function(ij_layers_check root compile_commands domain_objects http_objects out)
  file(READ "${compile_commands}" json)
  string(JSON count LENGTH "${json}")
  set(violations)
  set(domain_seen)
  set(http_seen)
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    string(JSON file GET "${json}" ${i} file)
    string(JSON dir GET "${json}" ${i} directory)
    string(JSON command GET "${json}" ${i} command)
    # The object file names the target, so generated sources (ij_http's dashboard) count too.
    set(output "")
    if(command MATCHES " -o ([^ ]+)")
      set(output "${CMAKE_MATCH_1}")
    endif()
    ij_in_folder("${file}" "${root}/service/domain" in_domain)
    ij_in_folder("${file}" "${root}/service/http" in_http)
    if(in_domain OR output MATCHES "(^|/)ij_domain\\.dir/")
      set(layer domain)
      list(APPEND domain_seen "${file}")
    elseif(in_http OR output MATCHES "(^|/)ij_http\\.dir/")
      set(layer http)
      list(APPEND http_seen "${file}")
    else()
      continue()
    endif()
    string(REPLACE "${root}/" "" shown "${file}")
    ij_headers_of("${command}" "${dir}" "${file}" headers)
    foreach(header IN LISTS headers)
      ij_is_libpq_header("${header}" is_libpq)
      if(is_libpq)
        list(APPEND violations "${shown}: includes ${header} (libpq's: the store's alone)")
      elseif(layer STREQUAL "domain" AND header MATCHES "${IJ_JANSSON_HEADERS}")
        list(APPEND violations "${shown}: includes ${header} (jansson's: not in the domain)")
      elseif(layer STREQUAL "domain" AND header MATCHES "${IJ_ULFIUS_HEADERS}")
        list(APPEND violations "${shown}: includes ${header} (ulfius's: not in the domain)")
      endif()
    endforeach()
  endforeach()

  ij_undefined_symbols(refs ${domain_objects})
  foreach(ref IN LISTS refs)
    string(REGEX REPLACE "^.*: " "" name "${ref}")
    foreach(lib jansson ulfius libpq)
      string(TOUPPER "IJ_${lib}_SYMBOLS" set_name)
      list(FIND ${set_name} "${name}" at)
      if(NOT at EQUAL -1)
        list(APPEND violations "domain ${ref} (defined by ${lib}: not in the domain)")
      endif()
    endforeach()
  endforeach()
  ij_undefined_symbols(refs ${http_objects})
  foreach(ref IN LISTS refs)
    string(REGEX REPLACE "^.*: " "" name "${ref}")
    list(FIND IJ_LIBPQ_SYMBOLS "${name}" at)
    if(NOT at EQUAL -1)
      list(APPEND violations "http ${ref} (defined by libpq: the store's alone)")
    endif()
    if(name MATCHES "^ij_store_")
      string(REGEX REPLACE ": .*$" "" member "${ref}")
      string(REGEX REPLACE "\\..*$" "" stem "${member}")
      list(FIND IJ_HTTP_STORE_ALLOWED "${name}" anywhere)
      list(FIND IJ_HTTP_STORE_ALLOWED_IN "${stem}:${name}" here)
      if(anywhere EQUAL -1 AND here EQUAL -1)
        list(APPEND violations "http ${ref} (the store's: call it through an ij_ops_* function)")
      endif()
    endif()
  endforeach()

  set(${out} "${violations}" PARENT_SCOPE)
  set(${out}_DOMAIN "${domain_seen}" PARENT_SCOPE)
  set(${out}_HTTP "${http_seen}" PARENT_SCOPE)
endfunction()

# ---- 1. the check must reject planted violations ---------------------------------------------------

file(READ "${COMPILE_COMMANDS}" real_json)
string(JSON real_count LENGTH "${real_json}")
math(EXPR real_last "${real_count} - 1")
set(domain_model "")
set(http_model "")
foreach(i RANGE ${real_last})
  string(JSON file GET "${real_json}" ${i} file)
  ij_in_folder("${file}" "${SOURCE_DIR}/service/domain" in_domain)
  ij_in_folder("${file}" "${SOURCE_DIR}/service/http" in_http)
  if(domain_model STREQUAL "" AND in_domain)
    set(domain_model ${i})
  elseif(http_model STREQUAL "" AND in_http)
    set(http_model ${i})
  endif()
endforeach()
if(domain_model STREQUAL "" OR http_model STREQUAL "")
  message(FATAL_ERROR "layers: ${COMPILE_COMMANDS} has no service/domain or service/http source")
endif()

set(planted "${WORK_DIR}/planted")
file(REMOVE_RECURSE "${planted}")
file(MAKE_DIRECTORY "${planted}/service/domain" "${planted}/service/http")
file(WRITE "${planted}/service/domain/uses_jansson.c" [=[
#include <jansson.h>
int ij_planted_json(void);
int ij_planted_json(void) {
  json_t *j = json_object();
  int ok = j != NULL;
  json_decref(j);
  return ok;
}
]=])
# No header at all: only the symbol check can see this one.
file(WRITE "${planted}/service/domain/declares_pqclear.c" [=[
struct pg_result;
void PQclear(struct pg_result *res);
void ij_planted_clear(struct pg_result *res);
void ij_planted_clear(struct pg_result *res) { PQclear(res); }
]=])
file(WRITE "${planted}/service/http/includes_libpq.c" [=[
#include <libpq-fe.h>
]=])
file(WRITE "${planted}/service/http/includes_db_h.c" "#include \"${SOURCE_DIR}/service/store/db.h\"\n")
# No header either: the pool (allowed), a store read (refused) and the replica's lag, allowed in
# read_routing.c alone (refused here).
file(WRITE "${planted}/service/http/calls_store.c" [=[
int ij_store_acquire(void);
int ij_store_referral_get(void);
int ij_store_replica_lag(void);
int ij_planted_store(void);
int ij_planted_store(void) {
  return ij_store_acquire() + ij_store_referral_get() + ij_store_replica_lag();
}
]=])
set(IJ_PLANTED service/domain/uses_jansson.c service/domain/declares_pqclear.c
               service/http/includes_libpq.c service/http/includes_db_h.c
               service/http/calls_store.c)
# The planted sources the symbol checks need compiled (the others need not compile at all).
set(IJ_PLANTED_COMPILED service/domain/uses_jansson.c service/domain/declares_pqclear.c
                        service/http/calls_store.c)
# calls_store.o must be refused for exactly these calls.
set(IJ_PLANTED_STORE_REFUSED ij_store_referral_get ij_store_replica_lag)

# Each planted source gets its model's entry, the model's path replaced by its own.
set(planted_json "[]")
set(planted_domain_objects)
set(planted_http_objects)
set(n 0)
foreach(rel IN LISTS IJ_PLANTED)
  if(rel MATCHES "^service/domain/")
    set(model ${domain_model})
  else()
    set(model ${http_model})
  endif()
  string(JSON entry GET "${real_json}" ${model})
  string(JSON model_file GET "${real_json}" ${model} file)
  string(REPLACE "${model_file}" "${planted}/${rel}" entry "${entry}")
  string(JSON planted_json SET "${planted_json}" ${n} "${entry}")
  math(EXPR n "${n} + 1")
  list(FIND IJ_PLANTED_COMPILED "${rel}" compiled)
  if(NOT compiled EQUAL -1)
    # Compiled as its layer's own sources are, for the symbol checks.
    string(REGEX REPLACE "^service/([a-z]+)/.*" "\\1" layer "${rel}")
    string(JSON command GET "${entry}" command)
    string(JSON dir GET "${entry}" directory)
    ij_bare_arguments("${command}" args)
    get_filename_component(name "${rel}" NAME_WE)
    execute_process(COMMAND ${args} -c -o "${planted}/${name}.o" WORKING_DIRECTORY "${dir}"
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "layers: the planted ${rel} does not compile as a ${layer} source:\n${err}")
    endif()
    list(APPEND planted_${layer}_objects "${planted}/${name}.o")
  endif()
endforeach()
file(WRITE "${planted}/compile_commands.json" "${planted_json}")

ij_layers_check("${planted}" "${planted}/compile_commands.json" "${planted_domain_objects}"
                "${planted_http_objects}" found)
foreach(line IN LISTS found)
  message(STATUS "planted, rejected: ${line}")
endforeach()
set(accepted)
foreach(rel IN LISTS IJ_PLANTED)
  get_filename_component(name "${rel}" NAME_WE)
  set(rejected FALSE)
  foreach(line IN LISTS found)
    string(FIND "${line}" "${rel}: " by_header)
    string(REGEX MATCH "^(domain|http) ${name}\\.o: " by_symbol "${line}")
    if(by_header EQUAL 0 OR by_symbol)
      set(rejected TRUE)
    endif()
  endforeach()
  if(NOT rejected)
    list(APPEND accepted "${rel}")
  endif()
endforeach()
# The store rule must refuse what it should and no more: the pool's calls pass.
set(store_refused)
foreach(line IN LISTS found)
  if(line MATCHES "^http calls_store\\.o: ([^ ]+) ")
    list(APPEND store_refused "${CMAKE_MATCH_1}")
  endif()
endforeach()
list(SORT store_refused)
set(store_expected ${IJ_PLANTED_STORE_REFUSED})
list(SORT store_expected)
if(NOT store_refused STREQUAL store_expected)
  list(JOIN store_refused " " store_refused)
  list(JOIN store_expected " " store_expected)
  list(APPEND accepted "service/http/calls_store.c (refused: ${store_refused}, expected: "
                       "${store_expected})")
endif()
if(accepted)
  list(JOIN accepted ", " accepted)
  message(FATAL_ERROR "layers: the check accepted planted violations (${accepted}): it cannot "
                      "be trusted")
endif()

# ---- 2. the real tree ---------------------------------------------------------------------------

ij_layers_check("${SOURCE_DIR}" "${COMPILE_COMMANDS}" "${DOMAIN_LIB}" "${HTTP_LIB}" found)
# Every source in the folders must have been judged: one missing from compile_commands.json would
# pass unseen.
foreach(layer domain http)
  string(TOUPPER "${layer}" upper)
  file(GLOB sources "${SOURCE_DIR}/service/${layer}/*.c")
  foreach(source IN LISTS sources)
    list(FIND found_${upper} "${source}" at)
    if(at EQUAL -1)
      list(APPEND found "${source}: not in ${COMPILE_COMMANDS}, so not checked")
    endif()
  endforeach()
  list(LENGTH found_${upper} judged_${layer})
endforeach()
if(found)
  foreach(line IN LISTS found)
    message(SEND_ERROR "layers: ${line}")
  endforeach()
  message(FATAL_ERROR "layers: the sources above break the layers (see CMakeLists.txt)")
endif()
list(LENGTH IJ_PLANTED planted_count)
message(STATUS "layers: ${planted_count} planted violations rejected; ${judged_domain} domain and "
               "${judged_http} http sources clean")
