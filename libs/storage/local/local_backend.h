// The `local` backend's entry in the storage registry: its --local.* options and how it opens.
#pragma once

#include <memory>

#include "storage/factory.h"

namespace ariadne::storage::local {

std::unique_ptr<BackendFactory> MakeLocalBackendFactory();

}  // namespace ariadne::storage::local
