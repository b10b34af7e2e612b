#pragma once
// The light and dark palettes of the application (View > Dark palette), persisted in QSettings.
#include <QPalette>

namespace pb::ui {

QPalette lightPalette();
QPalette darkPalette();
// Sets the application palette (Fusion style recommended: it follows the palette everywhere).
void applyStudioPalette(bool dark);
bool isDarkPalette(const QPalette& palette);

// QSettings key of the choice.
inline constexpr const char* kDarkPaletteSetting = "view/darkPalette";

}  // namespace pb::ui
