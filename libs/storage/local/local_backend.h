// The `local` backend's entry in the storage registry: its --local.* (or --local-archive.*) options
// and how it opens.
#pragma once

#include <memory>

#include "storage/factory.h"

namespace ariadne::storage::local {

// Options are named for `role` (BackendOptionName); the archive's defaults keep everything
// under ./data-archive.
std::unique_ptr<BackendFactory> MakeLocalBackendFactory(StoreRole role);

}  // namespace ariadne::storage::local
