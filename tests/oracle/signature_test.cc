// A finding's signature (fuzz/oracle/signature.h): the one print and the one parse agree, and
// every text that is no signature is refused with its exact reason.
#include "fuzz/oracle/signature.h"

#include <gtest/gtest.h>

#include <string>

namespace allocfuzz {
namespace {

Signature Parsed(const std::string& text) {
  std::string error;
  const std::optional<Signature> signature = parse_signature(text, &error);
  EXPECT_TRUE(signature.has_value()) << text << ": " << error;
  return signature.value_or(Signature{});
}

std::string Refused(const std::string& text) {
  std::string error;
  EXPECT_FALSE(parse_signature(text, &error).has_value()) << text;
  return error;
}

TEST(SignatureTest, PrintsKindOpAndFrameOnlyWhenThereIsOne) {
  EXPECT_EQ((Signature{FindingKind::shadow(ShadowKind::kContentCorrupted), "malloc", ""}.text()),
            "content-corrupted op=malloc");
  EXPECT_EQ((Signature{FindingKind::signal(SIGSEGV), "free", "kr_free"}.text()),
            "crash:SIGSEGV op=free frame=kr_free");
}

TEST(SignatureTest, ParsesItsOwnPrint) {
  for (const std::string text :
       {"content-corrupted op=malloc", "crash:SIGSEGV op=free frame=kr_free",
        "heap-invariant:prev-free op=end", "timeout op=start"}) {
    EXPECT_EQ(Parsed(text).text(), text);
  }
  const Signature a = Parsed("overlap op=realloc");
  EXPECT_EQ(a.kind, FindingKind::shadow(ShadowKind::kOverlap));
  EXPECT_EQ(a.op_name, "realloc");
  EXPECT_EQ(a.frame, "");
  // Runs of spaces separate like one.
  EXPECT_EQ(Parsed("overlap  op=realloc").text(), "overlap op=realloc");
}

TEST(SignatureTest, KindOpAndFrameAllCount) {
  const Signature a = Parsed("content-corrupted op=malloc");
  EXPECT_EQ(a, Parsed("content-corrupted op=malloc"));
  EXPECT_FALSE(a == Parsed("content-corrupted op=realloc"));
  EXPECT_FALSE(a == Parsed("overlap op=malloc"));
  EXPECT_FALSE(a == Parsed("content-corrupted op=malloc frame=f"));
  EXPECT_TRUE(signature_less(a, Parsed("content-corrupted op=realloc")));
}

TEST(SignatureTest, RefusesWhatIsNoSignature) {
  EXPECT_EQ(Refused(""), "empty signature (KIND op=OPNAME [frame=FRAME])");
  EXPECT_EQ(Refused("overlap"), "signature 'overlap' has no op=OPNAME after the kind");
  EXPECT_EQ(Refused("overlap malloc"),
            "signature 'overlap malloc' has no op=OPNAME after the kind");
  EXPECT_EQ(Refused("overlap op="), "signature 'overlap op=': op= needs a name");
  EXPECT_EQ(Refused("overlap op=free kr_free"),
            "signature 'overlap op=free kr_free': after op=free only frame=FRAME may follow");
  EXPECT_EQ(Refused("overlap op=free frame=a b"),
            "signature 'overlap op=free frame=a b': unexpected 'b' after the frame");
  EXPECT_EQ(Refused("bogus op=free"),
            "signature 'bogus op=free': unknown violation kind 'bogus' (no shadow kind 'bogus')");
}

}  // namespace
}  // namespace allocfuzz
