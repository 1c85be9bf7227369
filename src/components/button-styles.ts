// The app's primary button, and links that act as one: the same look in every form and page.
// (Tailwind finds its classes here as it does in the components.)
export const PRIMARY_BUTTON =
  "rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700 disabled:opacity-60";
