#pragma once
// The project's version, project(VERSION) in CMakeLists.txt: `--version` of both programs and the About box.

namespace pb {

const char* version();

}  // namespace pb
