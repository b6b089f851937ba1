/* abi1.c: a plugin built against the first ABI, whose result ended with
   text. It answers infected (Abi1-Sig) and then writes garbage where ABI 2
   keeps action, flags and reply, which the loader must not take for an
   answer. Built with -DABI1_VERSION=3 it claims an ABI that does not exist. */

#include <stdint.h>
#include <string.h>

#ifndef ABI1_VERSION
#define ABI1_VERSION 1
#endif

struct v1message { int fd ; uint64_t size ; char const *path ; uint32_t timeout_ms ; } ;
struct v1result { int verdict ; char text[128] ; } ;
struct v1plugin
{
  uint32_t abi ;
  char const *name ;
  uint32_t flags ;
  void (*scan) (struct v1message const *, struct v1result *) ;
} ;

static void scan (struct v1message const *m, struct v1result *r)
{
  (void)m ;
  r->verdict = 1 ;
  strcpy(r->text, "Abi1-Sig") ;
  /* past its own struct: the memory is the caller's (an ABI 2 result) */
  memset((char *)r + sizeof *r, 0x01, 8 + 16) ;
}

struct v1plugin const qhpsi_plugin = { ABI1_VERSION, "abi1", 1, scan } ;
