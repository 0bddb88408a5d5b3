// UTF-8 helpers shared by the session reader, the normaliser and the writers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chatqa::utf8 {

// Byte offset of the first invalid sequence, or npos if `text` is valid UTF-8
// (overlongs, surrogates and values above U+10FFFF are invalid).
std::size_t find_invalid(std::string_view text) noexcept;

// Decodes valid UTF-8 into code points; `byte_offsets` (optional) receives the
// byte offset of each code point plus a final entry equal to text.size().
void decode(std::string_view text, std::u32string& out, std::vector<std::uint32_t>* byte_offsets = nullptr);

void append(std::string& out, char32_t cp);
std::string encode(std::u32string_view cps);

// Number of code points in valid UTF-8.
std::size_t length(std::string_view text) noexcept;

}  // namespace chatqa::utf8
