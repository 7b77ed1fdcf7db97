#include "ij/cli.h"

int main(int argc, char **argv) {
  return ij_cli_main(argc, argv);
}
